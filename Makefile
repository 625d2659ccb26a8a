# Each target creates .venv on first use and installs the package with what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-quality bench-export bench-mixtures bench-cgan bench-translation bench-dann bench-soak install clean

install: $(STAMP)

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Trains DCGAN on scikit-learn's digits (about 5 minutes on 2 CPU cores), writes sample
# grids, the loss curve and the .keras model to runs/, and a SavedModel to saved_models/dcgan/.
demo: $(STAMP)
	$(BIN)/kerasgan train --flagfile=zoo/dcgan_digits.flags --output_dir=runs/dcgan_digits_$$(date +%Y%m%d_%H%M%S)

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Training throughput: every zoo recipe and kerasgan against hand-written train steps, jit_compile
# on and off, FLOP/s against the CPU's peak, the input pipeline (PROTOCOLS.md section 5; about 10 minutes
# on 2 CPU cores). Writes bench/results/throughput.json and the Throughput section of BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python bench/throughput.py

# Sizes and latencies of the newest demo model in Keras, SavedModel and TFLite (make demo first).
DEMO_MODEL ?= $(lastword $(sort $(wildcard runs/dcgan_digits_*/model.keras)))
bench-export: $(STAMP)
	@test -n "$(DEMO_MODEL)" || { echo "no runs/dcgan_digits_*/model.keras: run make demo first"; exit 2; }
	$(BIN)/python bench/export_latency.py --model_path=$(DEMO_MODEL)

# Mode coverage of WGAN-GP on grid25, 5 seeds (PROTOCOLS.md section 1; about 17 minutes here).
bench-mixtures: $(STAMP)
	$(BIN)/python bench/mixtures.py --dataset=grid25

# CGAN label accuracy on digits, 3 seeds (PROTOCOLS.md section 3; about 12 minutes).
bench-cgan: $(STAMP)
	$(BIN)/python bench/cgan_labels.py

# Pix2Pix L1 / PSNR / SSIM and CycleGAN label preservation (PROTOCOLS.md section 4; 3 seeds, about 35 minutes).
bench-translation: $(STAMP)
	$(BIN)/python bench/translation.py

# DANN target accuracy against source only: moons and digits -> digits_m, 3 seeds (PROTOCOLS.md section 2; about 12 minutes).
bench-dann: $(STAMP)
	$(BIN)/python bench/dann.py

# Sample quality of every zoo recipe (PROTOCOLS.md sections 1-4), 3 seeds: hours on 2 CPU cores. Resumes where
# it stopped; QUALITY_ARGS="--models=gan_grid25,dcgan_digits --seeds=0" runs a part. Writes BENCHMARKS.md.
bench-quality: $(STAMP)
	$(BIN)/python bench/quality.py $(QUALITY_ARGS)

# The soak test: the DCGAN recipe through kerasgan train, SIGKILLed every few minutes and run again until it
# finishes (about 35 minutes); steps lost per kill and the final export. Writes the Soak test section of BENCHMARKS.md.
bench-soak: $(STAMP)
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info

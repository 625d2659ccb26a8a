"""DANN: domain-adversarial training of neural networks (Ganin et al., JMLR 2016, arXiv:1505.07818)."""
import keras
import numpy as np
import tensorflow as tf
from keras import ops

from kerasgan import averaging, batches, images, layers, registry
from kerasgan.adversarial import AdversarialModel
from kerasgan.networks import checks
from kerasgan.networks import dann as networks
from kerasgan.registry import Flag


@registry.register("dann")
class DANN(AdversarialModel):
    """A feature extractor g, a label predictor h and a domain classifier d joined by a gradient
    reversal layer, trained on ((source_x, target_x), source_y) batches.

    One step follows the paper's update rules: h descends the class loss L_y on the labelled
    source half; d descends the domain loss L_d (source 0, target 1) on both halves; g descends
    L_y and, through the reversal layer, ascends lambda * L_d, so its features stop telling the
    domains apart. lambda is `model.gradient_reversal.strength`, a variable that
    `kerasgan.callbacks.ReversalSchedule` sets to the paper's 2 / (1 + exp(-10 p)) - 1.
    `adaptation=False` is the source-only baseline: the same networks and data, with d trained
    on features it cannot change.
    In adversarial terms g plays the generator (it learns to fool) and d the discriminator:
    `generator_optimizer` updates g and h, `discriminator_optimizer` updates d.
    `predict(x)` gives class probabilities; `features(x)` the adapted features.

    Args:
        input_shape: the shape of one example (vectors or images); or read off a given feature_extractor.
        num_classes: the number of classes (>= 2).
        feature_extractor, label_head, domain_head: networks of one's own (g, h, d).
        adaptation: False trains the source-only baseline.
        reversal_strength: lambda before the schedule sets it.
        random_invert: the probability that g inverts a training image (x -> -x, for images in
            [-1, 1]); 0 in the paper. Shapes the default networks only.
        dropout: the dropout rate of h and d; 0 in the paper. Shapes the default networks only.
        domain_depth: the hidden layers of 100 units in the default d; 1 in the paper's MNIST
            network. A deeper d gives g a sharper signal of where the domains still differ. Shapes
            the default d only.
        ema_decay: when > 0, exponential moving averages of g's and h's weights with this decay
            (kerasgan.averaging; Polyak & Juditsky 1992's iterate averaging, made exponential) are
            kept in `averaged_feature_extractor` and `averaged_label_head`, and `predict`,
            `features`, validation, scores and exports use them (unless `use_average` is set False).
        split_real_batch: accepted for model files of kerasgan 0.1.0; must be False (a GAN option).
        **kwargs: seed and the keras.Model arguments.
    """

    sampling_alternative = "classifies rather than samples: use predict(x) or features(x)"
    draws_samples = False  # kerasgan train draws its decision regions instead
    cli_flags = (
        Flag("num_classes", int, "CGAN, DANN: number of labels; default: counted from the dataset."),
        Flag("reversal_strength", float, "DANN: the largest gradient-reversal strength lambda of the paper's schedule."),
        Flag("adaptation", bool, "DANN: false trains the source-only baseline (no reversed gradient)."),
        Flag("random_invert", float, "DANN on images: probability that g inverts a training image (x -> -x); 0 in the paper."),
        Flag("dropout", float, "Dropout rate of the U-Net's decoder (Pix2Pix, default 0.5) or of DANN's heads (default 0)."),
        Flag("domain_depth", int, "DANN: hidden layers of 100 units in the domain classifier; 1 in the paper."),
        averaging.FLAG,
    )

    def __init__(
        self,
        input_shape=None,
        num_classes=None,
        feature_extractor=None,
        label_head=None,
        domain_head=None,
        adaptation=True,
        reversal_strength=1.0,
        random_invert=0.0,
        dropout=0.0,
        domain_depth=1,
        ema_decay=0.0,
        split_real_batch=False,
        seed=None,
        **kwargs,
    ):
        if split_real_batch:
            raise ValueError("DANN has its own training step: split_real_batch applies to the GAN family")
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
        if input_shape is None and feature_extractor is not None:
            checks.check_network("feature_extractor", feature_extractor)
            input_shape = tuple(feature_extractor.inputs[0].shape[1:])
        if input_shape is None:
            raise ValueError("DANN needs input_shape, e.g. DANN(input_shape=(32, 32, 3), num_classes=10), or a feature_extractor")
        input_shape = tuple(int(d) for d in input_shape)
        feature_extractor = feature_extractor or networks.build_feature_extractor(input_shape, random_invert, seed)
        checks.check_network("feature_extractor", feature_extractor)
        feature_shape = tuple(feature_extractor.outputs[0].shape[1:])
        label_head = label_head or networks.build_label_head(feature_shape, num_classes, dropout=dropout)
        domain_head = domain_head or networks.build_domain_head(feature_shape, domain_depth, dropout=dropout)
        _check_label_head(label_head, feature_shape, num_classes)
        _check_domain_head(domain_head, feature_shape)
        super().__init__(seed=seed, **kwargs)
        self.feature_extractor = feature_extractor
        self.label_head = label_head
        self.domain_head = domain_head
        self.input_shape = input_shape
        self.num_classes = num_classes
        self.adaptation = bool(adaptation)
        self.random_invert = random_invert
        self.dropout = dropout
        self.domain_depth = domain_depth
        self.gradient_reversal = layers.GradientReversal(reversal_strength, name="gradient_reversal")
        self.sample_shape = (num_classes,)  # what the model outputs: class probabilities
        self.ema_decay = averaging.checked_decay(ema_decay)
        self.averaged_feature_extractor = averaging.averaged_copy(feature_extractor) if self.ema_decay else None
        self.averaged_label_head = averaging.averaged_copy(label_head) if self.ema_decay else None
        self.track_metrics(generator=["class_loss", "class_accuracy"], discriminator=["domain_loss", "domain_accuracy"])

    @property
    def generator(self):
        """g, the feature extractor: the network that learns to fool the domain classifier."""
        return self.feature_extractor

    @property
    def discriminator(self):
        """d, the domain classifier."""
        return self.domain_head

    def generator_networks(self):
        return [self.feature_extractor, self.label_head]

    def discriminator_networks(self):
        return [self.domain_head]

    def default_generator_optimizer(self):
        """The paper's SGD with momentum 0.9 at mu_0 = 0.01; kerasgan.callbacks.AnnealedLearningRate anneals it."""
        return keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)

    # --- training ------------------------------------------------------------------------

    def batch(self):
        """((source, target), labels): features of any range (not images: fit neither scales nor checks them)."""
        domains = (batches.Part("source", self.input_shape, batches.FLOATS), batches.Part("target", self.input_shape, batches.FLOATS))
        parts = (domains, batches.Part("source labels", (), batches.LABELS, self.num_classes))
        return batches.Batch("DANN", parts, "build it with kerasgan.data.domain_adaptation(source, target, batch_size)", arrays=False)

    @classmethod
    def data_arguments(cls, element_spec, flags):
        from kerasgan import data

        (source, _), _ = element_spec
        return {"input_shape": tuple(source.shape[1:]), "num_classes": flags.num_classes or data.num_classes(flags.dataset)}

    @classmethod
    def training_data(cls, flags, split=None, batch_size=None, shuffle=True):
        """--dataset (labelled source) and --target_dataset (unlabelled target) in halves of each batch."""
        from kerasgan import data

        if not flags.target_dataset:
            raise ValueError("dann needs --target_dataset, the unlabelled domain to adapt to (e.g. moons_rotated)")
        return data.domain_adaptation(
            flags.dataset, flags.target_dataset, batch_size=batch_size or flags.batch_size, seed=flags.seed,
            split=split or flags.split, image_size=flags.image_size, channels=flags.channels, num_samples=flags.num_samples,
        )

    @classmethod
    def validation_data(cls, flags):
        """The labelled --target_dataset --validation_split, so fit reports val_class_accuracy; in batches of the
        training batch's target half, so a batch of a whole small target set fits."""
        from kerasgan import data

        if not flags.validation_split:
            return None
        return data.load(
            flags.target_dataset, image_size=flags.image_size, batch_size=max(1, flags.batch_size // 2),
            split=flags.validation_split, with_labels=True, shuffle=False, channels=flags.channels,
        )

    @classmethod
    def scored_dataset(cls, flags):
        return flags.target_dataset

    def training_callbacks(self, flags):
        """The paper's schedules: the reversal strength lambda_p and the annealed learning rate mu_p."""
        from kerasgan import callbacks

        strength = flags.reversal_strength if flags.reversal_strength is not None else 1.0
        return [callbacks.ReversalSchedule(max_strength=strength), callbacks.AnnealedLearningRate()]

    def scores(self, dataset, split="test", num_images=None, seed=0, feature_extractor=None):
        """Accuracy on the labelled `dataset` (the target domain): kerasgan.evaluation.classifier_scores."""
        from kerasgan import evaluation

        return evaluation.classifier_scores(self, dataset, split, num_images)

    def _reverse(self, features):
        """The domain classifier's input: reversed gradient when adapting, no gradient to g otherwise."""
        return self.gradient_reversal(features) if self.adaptation else ops.stop_gradient(features)

    def train_step(self, data):
        (source_x, target_x), source_y = data
        source_y = images.labels_in_range(source_y, self.num_classes, "DANN")
        with tf.GradientTape(persistent=True) as tape:
            source_features = self.feature_extractor(source_x, training=True)
            target_features = self.feature_extractor(target_x, training=True)
            class_logits = self.label_head(source_features, training=True)
            class_loss = ops.mean(keras.losses.sparse_categorical_crossentropy(source_y, class_logits, from_logits=True))
            features = ops.concatenate([source_features, target_features], axis=0)
            domain_logits = self.domain_head(self._reverse(features), training=True)
            domains = ops.concatenate([ops.zeros_like(source_features[:, :1]), ops.ones_like(target_features[:, :1])], axis=0)
            domain_loss = ops.mean(keras.losses.binary_crossentropy(domains, domain_logits, from_logits=True))
            # g and h descend L_y + L_d; the reversal layer turns g's share of L_d into ascent.
            scaled_classifier = self.scaled_loss(class_loss + domain_loss, self.generator_optimizer)
            scaled_domain = self.scaled_loss(domain_loss, self.discriminator_optimizer)
        self.apply_update(tape, scaled_classifier, self.generator_networks(), self.generator_optimizer)
        self.apply_update(tape, scaled_domain, self.domain_head, self.discriminator_optimizer)
        del tape
        if self.ema_decay:
            averaged = [self.averaged_feature_extractor, self.averaged_label_head]
            averaging.update_all(averaged, self.generator_networks(), self.generator_optimizer.iterations, self.ema_decay)
        return self.track(
            class_loss=class_loss,
            domain_loss=domain_loss,
            class_accuracy=ops.mean(_correct(class_logits, source_y)),
            domain_accuracy=ops.mean(ops.cast(ops.equal(domain_logits > 0, domains > 0.5), "float32")),
        )

    def test_step(self, data):
        """Class loss and accuracy on labelled (x, y) batches: with target-domain data, the adapted accuracy."""
        x, y = data[0], images.labels_in_range(data[1], self.num_classes, "DANN")
        feature_extractor, label_head = self.classifier_networks()
        logits = label_head(feature_extractor(x, training=False), training=False)
        # per-example values, so a smaller last batch weighs what it holds
        return self.report(
            class_loss=keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True), class_accuracy=_correct(logits, y)
        )

    # --- inference -----------------------------------------------------------------------

    def classifier_networks(self):
        """(g, h) that classify: their averages with `ema_decay` (unless `use_average` is False), else the trained ones."""
        if self.averages_in_use():
            return self.averaged_feature_extractor, self.averaged_label_head
        return self.feature_extractor, self.label_head

    def call(self, x, training=False):
        """Class probabilities: softmax(h(g(x))), with the averaged g and h when kept."""
        if isinstance(x, (tuple, list)):  # fit's (source_x, target_x), which Keras traces under tf.distribute
            x = x[0]
        feature_extractor, label_head = self.classifier_networks()
        return ops.softmax(label_head(feature_extractor(x, training=training), training=training))

    def features(self, x, batch_size=256):
        """g(x): the adapted features as a numpy array."""
        x = np.asarray(x, dtype="float32")
        if tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(f"x must have shape (N, {', '.join(map(str, self.input_shape))}), got {x.shape}")
        return self.classifier_networks()[0].predict(x, batch_size=batch_size, verbose=0)

    def serving_endpoints(self):
        """`serving_default`: inputs -> class probabilities; `features`: inputs -> g's features."""
        spec = tf.TensorSpec((None,) + self.input_shape, tf.float32, name="inputs")

        def serving_default(inputs):
            return {"probabilities": tf.cast(self(inputs, training=False), tf.float32)}

        def features(inputs):
            return {"features": tf.cast(self.classifier_networks()[0](inputs, training=False), tf.float32)}

        return {"serving_default": (serving_default, [spec]), "features": (features, [spec])}

    def serving_networks(self):
        return list(self.classifier_networks())

    def serving_examples(self, count, seed=0):
        return {"inputs": images.uniform_images(count, self.input_shape, seed)}

    def get_config(self):
        return {
            **super().get_config(),
            "input_shape": self.input_shape,
            "num_classes": self.num_classes,
            "adaptation": self.adaptation,
            "reversal_strength": self.gradient_reversal.initial_strength,
            "random_invert": self.random_invert,
            "dropout": self.dropout,
            "domain_depth": self.domain_depth,
            "ema_decay": self.ema_decay,
            "feature_extractor": keras.saving.serialize_keras_object(self.feature_extractor),
            "label_head": keras.saving.serialize_keras_object(self.label_head),
            "domain_head": keras.saving.serialize_keras_object(self.domain_head),
        }


def _correct(logits, labels):
    """1.0 for each row whose largest logit is at its label, else 0.0."""
    predicted = ops.cast(ops.argmax(logits, axis=-1), "int32")
    return ops.cast(ops.equal(predicted, ops.cast(labels, "int32")), "float32")


def _check_label_head(label_head, feature_shape, num_classes):
    checks.check_network("label_head", label_head)
    takes, gives = tuple(label_head.inputs[0].shape[1:]), tuple(label_head.outputs[0].shape[1:])
    if takes != feature_shape or gives != (num_classes,):
        raise ValueError(
            f"the label_head must map the features {feature_shape} to {num_classes} class logits, got {takes} -> {gives}"
        )


def _check_domain_head(domain_head, feature_shape):
    checks.check_network("domain_head", domain_head)
    judged, gives = tuple(domain_head.inputs[0].shape[1:]), tuple(domain_head.outputs[0].shape[1:])
    if judged != feature_shape or gives != (1,):
        raise ValueError(f"the domain_head must map the features {feature_shape} to one logit, got {judged} -> {gives}")

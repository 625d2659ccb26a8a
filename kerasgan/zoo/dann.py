"""DANN: domain-adversarial training of neural networks (Ganin et al., JMLR 2016, arXiv:1505.07818)."""
import numpy as np
import keras
import tensorflow as tf
from keras import ops

from kerasgan import gan, layers, translation
from kerasgan.networks import dann as networks


@keras.saving.register_keras_serializable(package="kerasgan")
class DANN(gan.GAN):
    """A feature extractor g, a label predictor h and a domain classifier d joined by a gradient
    reversal layer, trained on ((source_x, target_x), source_y) batches.

    One step follows the paper's update rules: h descends the class loss L_y on the labelled
    source half; d descends the domain loss L_d (source 0, target 1) on both halves; g descends
    L_y and, through the reversal layer, ascends lambda * L_d, so its features stop telling the
    domains apart. lambda is `model.gradient_reversal.strength`, a variable that
    `kerasgan.callbacks.ReversalSchedule` sets to the paper's 2 / (1 + exp(-10 p)) - 1.
    `adaptation=False` is the source-only baseline: the same networks and data, with d trained
    on features it cannot change.
    In the base class's terms g is the generator (it learns to fool) and d the discriminator:
    `generator_optimizer` updates g and h, `discriminator_optimizer` updates d.
    `predict(x)` gives class probabilities; `features(x)` the adapted features.
    `random_invert` and `dropout` shape the default networks (a user's own are taken as given):
    the probability that g inverts a training image (x -> -x, for images in [-1, 1]) and the
    dropout rate of h and d; both 0 in the paper.
    """

    sampling_alternative = "classifies rather than samples: use predict(x) or features(x)"
    image_parts = {}  # features of any range, not images: fit neither scales nor checks them

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
        seed=None,
        **kwargs,
    ):
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
        if input_shape is None and feature_extractor is not None:
            gan.check_network("feature_extractor", feature_extractor)
            input_shape = tuple(feature_extractor.inputs[0].shape[1:])
        if input_shape is None:
            raise ValueError("DANN needs input_shape, e.g. DANN(input_shape=(32, 32, 3), num_classes=10), or a feature_extractor")
        input_shape = tuple(int(d) for d in input_shape)
        feature_extractor = feature_extractor or networks.build_feature_extractor(input_shape, random_invert, seed)
        gan.check_network("feature_extractor", feature_extractor)
        feature_shape = tuple(feature_extractor.outputs[0].shape[1:])
        label_head = label_head or networks.build_label_head(feature_shape, num_classes, dropout=dropout)
        domain_head = domain_head or networks.build_domain_head(feature_shape, dropout=dropout)
        self._check_label_head(label_head, feature_shape, num_classes)
        super().__init__(feature_extractor, domain_head, seed=seed, **kwargs)
        self.label_head = label_head
        self.input_shape = input_shape
        self.num_classes = num_classes
        self.adaptation = bool(adaptation)
        self.random_invert = random_invert
        self.dropout = dropout
        self.gradient_reversal = layers.GradientReversal(reversal_strength, name="gradient_reversal")
        self.latent_dim = None  # no z: DANN classifies
        self.sample_shape = (num_classes,)  # what the model outputs: class probabilities

    @property
    def feature_extractor(self):
        return self.generator

    @property
    def domain_head(self):
        return self.discriminator

    def _metric_names(self):
        return ["class_loss", "domain_loss", "class_accuracy", "domain_accuracy"]

    def _check_networks(self, feature_extractor, domain_head):
        gan.check_network("domain_head", domain_head)
        made, judged = tuple(feature_extractor.outputs[0].shape[1:]), tuple(domain_head.inputs[0].shape[1:])
        if made != judged or tuple(domain_head.outputs[0].shape[1:]) != (1,):
            raise ValueError(
                f"the domain_head must map the features {made} to one logit, got {judged} -> "
                f"{tuple(domain_head.outputs[0].shape[1:])}"
            )

    @staticmethod
    def _check_label_head(label_head, feature_shape, num_classes):
        gan.check_network("label_head", label_head)
        takes, gives = tuple(label_head.inputs[0].shape[1:]), tuple(label_head.outputs[0].shape[1:])
        if takes != feature_shape or gives != (num_classes,):
            raise ValueError(
                f"the label_head must map the features {feature_shape} to {num_classes} class logits, "
                f"got {takes} -> {gives}"
            )

    def generator_networks(self):
        return [self.feature_extractor, self.label_head]

    def default_generator_optimizer(self):
        """The paper's SGD with momentum 0.9 at mu_0 = 0.01; kerasgan.callbacks.AnnealedLearningRate anneals it."""
        return keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)

    # --- training ------------------------------------------------------------------------

    def fit(self, x=None, y=None, **kwargs):
        """keras.Model.fit on a dataset of ((source_x, target_x), source_y) batches."""
        if not isinstance(x, tf.data.Dataset):
            raise ValueError(
                "DANN trains on a tf.data.Dataset of ((source_x, target_x), source_y) batches: "
                "build it with kerasgan.data.domain_adaptation(source, target, batch_size)"
            )
        return super().fit(x, y, **kwargs)

    def _check_training_data(self, x):
        spec = x.element_spec
        shaped = isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], tuple) and len(spec[0]) == 2
        if not shaped:
            raise ValueError(
                "DANN trains on ((source_x, target_x), source_y) batches; this dataset yields "
                f"{spec}: build it with kerasgan.data.domain_adaptation(source, target, batch_size)"
            )
        (source, target), labels = spec
        for role, element in (("source", source), ("target", target)):
            shape = tuple(element.shape[1:])
            if len(shape) != len(self.input_shape) or any(a not in (None, b) for a, b in zip(shape, self.input_shape)):
                raise ValueError(
                    f"{role} batches hold examples of shape {shape} but this DANN takes {self.input_shape}: "
                    "give both domains the model's input shape (image_size=..., channels=...)"
                )
        if not tf.as_dtype(labels.dtype).is_integer:
            raise ValueError(f"DANN's source labels must be integers in [0, {self.num_classes}), got {labels.dtype.name}")

    def _check_first_batch(self, batch, images):
        gan.check_labels(batch[1], self.num_classes, "the dataset's source labels")

    def _reverse(self, features):
        """The domain classifier's input: reversed gradient when adapting, no gradient to g otherwise."""
        return self.gradient_reversal(features) if self.adaptation else ops.stop_gradient(features)

    def train_step(self, data):
        (source_x, target_x), source_y = data
        source_y = gan.labels_in_range(source_y, self.num_classes, "DANN")
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
            scaled_classifier = self._scaled(class_loss + domain_loss, self.generator_optimizer)
            scaled_domain = self._scaled(domain_loss, self.discriminator_optimizer)
        self._apply(tape, scaled_classifier, self.generator_networks(), self.generator_optimizer)
        self._apply(tape, scaled_domain, self.domain_head, self.discriminator_optimizer)
        del tape
        return self._track(
            class_loss=class_loss,
            domain_loss=domain_loss,
            class_accuracy=ops.mean(_correct(class_logits, source_y)),
            domain_accuracy=ops.mean(ops.cast(ops.equal(domain_logits > 0, domains > 0.5), "float32")),
        )

    def test_step(self, data):
        """Class loss and accuracy on labelled (x, y) batches: with target-domain data, the adapted accuracy."""
        x, y = data[0], gan.labels_in_range(data[1], self.num_classes, "DANN")
        logits = self.label_head(self.feature_extractor(x, training=False), training=False)
        # per-example values, so a smaller last batch weighs what it holds
        self.trackers["class_loss"].update_state(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
        self.trackers["class_accuracy"].update_state(_correct(logits, y))
        return {name: self.trackers[name].result() for name in ("class_loss", "class_accuracy")}

    # --- inference -----------------------------------------------------------------------

    def call(self, x, training=False):
        """Class probabilities: softmax(h(g(x)))."""
        if isinstance(x, (tuple, list)):  # fit's (source_x, target_x), which Keras traces under tf.distribute
            x = x[0]
        return ops.softmax(self.label_head(self.feature_extractor(x, training=training), training=training))

    def features(self, x, batch_size=256):
        """g(x): the adapted features as a numpy array."""
        x = np.asarray(x, dtype="float32")
        if tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(f"x must have shape (N, {', '.join(map(str, self.input_shape))}), got {x.shape}")
        return self.feature_extractor.predict(x, batch_size=batch_size, verbose=0)

    def serving_endpoints(self):
        """`serving_default`: inputs -> class probabilities; `features`: inputs -> g's features."""
        spec = tf.TensorSpec((None,) + self.input_shape, tf.float32, name="inputs")

        def serving_default(inputs):
            return {"probabilities": tf.cast(self(inputs, training=False), tf.float32)}

        def features(inputs):
            return {"features": tf.cast(self.feature_extractor(inputs, training=False), tf.float32)}

        return {"serving_default": (serving_default, [spec]), "features": (features, [spec])}

    def serving_networks(self):
        return [self.feature_extractor, self.label_head]

    def serving_examples(self, count, seed=0):
        return {"inputs": translation.uniform_images(count, self.input_shape, seed)}

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            "input_shape": self.input_shape,
            "num_classes": self.num_classes,
            "adaptation": self.adaptation,
            "reversal_strength": self.gradient_reversal.initial_strength,
            "random_invert": self.random_invert,
            "dropout": self.dropout,
            "feature_extractor": keras.saving.serialize_keras_object(self.feature_extractor),
            "label_head": keras.saving.serialize_keras_object(self.label_head),
            "domain_head": keras.saving.serialize_keras_object(self.domain_head),
            "seed": self.seed,
        }


def _correct(logits, labels):
    """1.0 for each row whose largest logit is at its label, else 0.0."""
    predicted = ops.cast(ops.argmax(logits, axis=-1), "int32")
    return ops.cast(ops.equal(predicted, ops.cast(labels, "int32")), "float32")

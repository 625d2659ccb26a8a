"""Captions as token ids: the fixed vocabulary of kerasgan.data.captions and the checks a caption gets.

Words are lower-cased and split on spaces, commas and full stops; id 0 pads a caption to MAX_WORDS. The vocabulary is
the words of the training captions; a caption with any other word is refused (a model has never seen it), as is an
empty one.
"""
import re

import numpy as np

MAX_WORDS = 12
VOCABULARY = (
    # the templates' words
    "a", "the", "and",
    # MNIST's classes
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    # Fashion-MNIST's classes
    "t-shirt", "top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle", "boot",
    # the measured attributes
    "thin", "medium", "thick", "small", "large", "mid-sized", "dark", "grey", "light",
)
IDS = {word: index + 1 for index, word in enumerate(VOCABULARY)}  # 0 pads
VOCABULARY_SIZE = len(VOCABULARY) + 1


def words(caption):
    """The caption's words: lower case, split on spaces, commas and full stops."""
    return [word for word in re.split(r"[\s,.]+", caption.lower()) if word]


def tokenize(captions, length=MAX_WORDS):
    """int32 ids (N, length) of a caption or a list of them; ValueError naming an empty caption, an unknown word or
    a caption that is too long."""
    captions = [captions] if isinstance(captions, str) else list(captions)
    if not captions:
        raise ValueError("captions must hold at least one caption, e.g. ['a thick seven']")
    ids = np.zeros((len(captions), length), np.int32)
    for row, caption in enumerate(captions):
        if not isinstance(caption, str) or not words(caption):
            raise ValueError(f"caption {row} is empty or not a string ({caption!r}): describe an image, e.g. 'a thick seven'")
        found = words(caption)
        unknown = sorted({word for word in found if word not in IDS})
        if unknown:
            raise ValueError(
                f"caption {caption!r} has words the model was not trained on: {', '.join(unknown)}; it knows "
                f"{', '.join(VOCABULARY)}"
            )
        if len(found) > length:
            raise ValueError(f"caption {caption!r} has {len(found)} words: at most {length}")
        ids[row, :len(found)] = [IDS[word] for word in found]
    return ids

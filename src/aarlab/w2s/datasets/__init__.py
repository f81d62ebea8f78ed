"""Dataset registry: importing this package registers every built-in dataset."""

from aarlab.w2s.datasets import bbc, humaneval, tweets, wordnet  # noqa: F401  (registers them)
from aarlab.w2s.datasets.base import DATASETS, Dataset, DatasetError, Example, get_dataset, register

__all__ = ["DATASETS", "Dataset", "DatasetError", "Example", "get_dataset", "register"]

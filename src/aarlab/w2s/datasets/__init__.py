"""Dataset registry: importing this package registers every built-in dataset."""

from aarlab.w2s.datasets.base import DATASETS, Dataset, DatasetError, Example, get_dataset, register

__all__ = ["DATASETS", "Dataset", "DatasetError", "Example", "get_dataset", "register"]

"""Small neural networks: numpy MLPs with hand-written backprop, toy data, loss landscapes."""

from gradscape.networks.datasets import DATASETS, Dataset, get_dataset_kind, make_dataset
from gradscape.networks.layers import ACTIVATIONS, LOSSES, get_activation
from gradscape.networks.mlp import MLP
from gradscape.networks.training import (
    NetworkSpec,
    Training,
    build_network_spec,
    stream_batch,
    stream_training,
    train,
    train_batch,
)

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "LOSSES",
    "MLP",
    "Dataset",
    "NetworkSpec",
    "Training",
    "build_network_spec",
    "get_activation",
    "get_dataset_kind",
    "make_dataset",
    "stream_batch",
    "stream_training",
    "train",
    "train_batch",
]

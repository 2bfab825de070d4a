"""Contracts: the contract-signing state machine and its task functions."""

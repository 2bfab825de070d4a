"""The contract-signing workflow's task functions, and the function that starts it for onboarding."""

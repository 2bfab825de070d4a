"""The local cloud on moto: queues, streams, state machines and concurrency, as Lambda runs them."""

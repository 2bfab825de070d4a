"""The local cloud: the synthesized template deployed onto moto, with handlers run in-process.

See design.md, "The local cloud". `LocalCloud` is the entry point; `starling dev` and the tests use it.
"""

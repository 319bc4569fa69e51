"""Synthesis: stored interviews in, a draft journey map and ranked pain points out.

Entry point: :func:`synthesis.pipeline.synthesize`. Reads storage only; every stage has an
offline default (see ``embedders.EMBEDDERS`` for the provider registry).
"""

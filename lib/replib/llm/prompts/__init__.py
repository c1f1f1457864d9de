"""Prompt templates, one module per chapter: strings and format functions only."""

"""Prompt templates, one file per prompt; packaged into the wheel as assistant.prompt_files."""

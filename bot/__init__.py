"""The interview: guide, conversation engine, answer understanding, service and adapters."""

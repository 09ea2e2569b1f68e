"""govcheck: policy-as-code compliance checks for AI governance (ISO/IEC 42001)."""

__version__ = "0.1.0"
__all__ = ["__version__"]

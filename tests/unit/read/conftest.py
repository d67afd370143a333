from .kits import kit

__all__ = ["kit"]

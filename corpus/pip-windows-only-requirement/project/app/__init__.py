"""An application whose requirements were frozen on Windows."""

"""Local-first voice interview simulator.

Data flows one way: audio -> timed words -> delivery metrics -> store -> views.
"""

__version__ = "0.1.0"

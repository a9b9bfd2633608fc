"""Model builders: classical pipelines (:mod:`course_utils.models.classical`) and, later, neural networks.

Used in: book/07_classical_ml.ipynb onwards.
"""

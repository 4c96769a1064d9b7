"""Record linkage of Träger: Fellegi–Sunter match weights with term-frequency adjustment.

tokens.py (names), address.py (German addresses), contacts.py (website, e-mail, phone),
records.py (the comparable form of a record), compare.py (comparison levels), model.py
(m/u by EM, match weights), blocking.py (candidate pairs), outcomes.py (same Träger,
zusammengehörig, möglicherweise umbenannt, with evidence in words).
"""

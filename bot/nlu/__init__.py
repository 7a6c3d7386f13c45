"""Kefu's custom NLU components (jieba dictionary, spaCy EntityRuler for the shop's entities)."""

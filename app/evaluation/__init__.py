"""Evaluation of Chambers' answers on labelled data, apart from the product code it scores."""

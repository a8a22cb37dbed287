"""estim.program"""

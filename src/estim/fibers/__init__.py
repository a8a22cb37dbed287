"""estim.fibers"""

"""estim.fields"""

"""estim.waveforms"""

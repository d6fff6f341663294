"""placeholder until generation"""

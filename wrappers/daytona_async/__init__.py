"""daytona_async"""

"""carlzon.loop"""

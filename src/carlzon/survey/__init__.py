"""Ask: surveys built from the journey (importance before performance, per persona), served at public
links, exported to LimeSurvey, and their answers stored as interactions.

Example:
    >>> from carlzon.survey import build_survey
    >>> build_survey("airline", persona="business").touchpoints[:2]
    ['online_booking', 'schedule']
"""

from carlzon.survey.definition import Block, Question, Survey, build_survey, load_survey

__all__ = ["Block", "Question", "Survey", "build_survey", "load_survey"]

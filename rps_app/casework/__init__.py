"""Case work: the social assessment and case conferences of a stay, duplicate clients
(suggestions and the head's merge), and the head's data-quality page."""


def register(app) -> None:
    pass

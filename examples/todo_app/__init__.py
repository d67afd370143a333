"""The todo of seed 000 (``examples.todo``) behind a GraphQL API, as its ``cqrs-todoql-psql`` demo.

``create_app(url)`` (in ``app.py``) returns a FastAPI app serving the Strawberry schema of
``schema.py`` at ``/graphql``, with GraphiQL; ``fabula serve todo`` runs it.
"""

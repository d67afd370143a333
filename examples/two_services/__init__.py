"""Two services, orders and shipping, with separate stores, talking only through a broker.

The orders service publishes ``OrderPlaced`` through its outbox as the contract event
``OrderAccepted``; the shipping service's inbox turns each into ``ShipOrder``. ``service.py``
runs either side as its own process (``python -m examples.two_services.service``).
"""

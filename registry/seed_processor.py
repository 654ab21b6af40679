"""Register rules for what C-DOT keeps about its work as processor (issue 16)."""

from .seed_data import t

RETENTION_RULES = [
    {
        # A request about data C-DOT holds for a client: passed on to the client (Art.
        # 28(3)(e)); kept as long as a request C-DOT handles itself, to show it was passed on.
        "code": "forwarded-request",
        "activity": "H",
        "data_category": "request-data",
        "period": (5, "years"),
        "anchor": "received_at",
        "action": "delete",
        "legal_reference": (
            "Art. 5, lid 2 en art. 28, lid 3, e) AVG (aantonen dat het verzoek werd "
            "doorgegeven); 5 jaar zoals de eigen verzoeken, door het personeel te bevestigen"
        ),
        "name": t(
            "Verzoeken doorgegeven aan onze klanten",
            "Demandes transmises à nos clients",
            "Requests passed on to our clients",
        ),
        "statement_text": t(
            "Een verzoek over gegevens die wij voor een klant verwerken, geven we door aan die "
            "klant; we bewaren het 5 jaar na ontvangst.",
            "Une demande concernant des données que nous traitons pour un client est transmise "
            "à ce client ; nous la conservons 5 ans après sa réception.",
            "A request about data we process for a client is passed on to that client; we keep "
            "it for 5 years after receiving it.",
        ),
    },
]

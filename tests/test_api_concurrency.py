"""Two retries racing with the same Idempotency-Key create one record (PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.test import Client

from records.models import ApiAuditEntry, ApiKey, IdempotencyRecord, WebInquiry

BODY = {
    "name": "Jan Peeters",
    "email": "jan@example.be",
    "message": "Graag een offerte.",
}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_idempotency_key_create_one_inquiry():
    key, prefix, digest = ApiKey.generate()
    ApiKey.objects.create(
        name="website",
        prefix=prefix,
        key_hash=digest,
        scopes=["inquiries:write"],
        rate_limit_per_minute=1000,
    )
    start = threading.Barrier(4)
    answers = []

    def call():
        try:
            start.wait()
            response = Client().post(
                "/api/v1/inquiries",
                BODY,
                content_type="application/json",
                headers={"Authorization": f"Bearer {key}", "Idempotency-Key": "race-1"},
            )
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 4
    assert {status for status, _ in answers} == {201}
    assert len({body["id"] for _, body in answers}) == 1
    assert WebInquiry.objects.count() == 1
    assert ApiAuditEntry.objects.count() == 1 and IdempotencyRecord.objects.count() == 1

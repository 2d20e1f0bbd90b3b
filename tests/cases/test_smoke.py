from tests.factories import open_case


def test_a_case_goes_from_application_to_completion(users):
    case = open_case(users, status="completed")
    case.refresh_from_db()
    assert case.status == "completed"
    assert [(e.transition, e.to_status) for e in case.events.order_by("at", "id")] == [
        ("open", "submitted"), ("start_verification", "verifying"), ("issue_agreement", "agreement_issued"),
        ("register_agreement", "receiving"), ("record_remittance", "receiving"), ("record_receipt", "receiving"),
        ("complete", "completed"),
    ]

from tests.factories import open_case


def test_a_case_goes_from_application_to_completion(users):
    case = open_case(users, status="completed")
    assert case.status == "completed"
    assert case.events.count() == 5

def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_rep_signs_in_and_sees_today(make, auth, client):
    make.metric("calls")
    make.user("rep@example.com")
    response = auth.sign_in("rep@example.com")
    assert response.status_code == 302
    page = client.get("/today")
    assert page.status_code == 200
    assert "Calls" in page.text

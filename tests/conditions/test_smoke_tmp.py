def test_condition_page_shows_sections(client, demo):
    response = client.get("/conditions/dystonia/")
    assert "Who is affected by dystonia?" in response.content.decode()

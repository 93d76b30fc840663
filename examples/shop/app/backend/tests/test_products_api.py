"""The product endpoints, through FastAPI's TestClient, against the real database."""

from __future__ import annotations

import pytest


def add(client, name="Tea", price="3.50"):
    response = client.post("/api/products", json={"name": name, "price": price})
    assert response.status_code == 201, response.text
    return response.json()


def test_an_empty_catalogue_lists_nothing(client):
    response = client.get("/api/products")
    assert response.status_code == 200
    assert response.json() == []


def test_a_created_product_is_returned_listed_and_readable(client):
    created = add(client, name="  Green tea  ", price=4.2)
    assert created["id"] == 1
    assert created["name"] == "Green tea"  # surrounding whitespace is trimmed
    assert created["price"] == "4.20"  # exact, as a string
    assert created["created_at"]

    assert client.get("/api/products/1").json() == created
    assert client.get("/api/products").json() == [created]


def test_markup_in_a_name_is_stored_verbatim(client):
    # The API keeps what the user typed; escaping is the page's job when it shows it.
    name = '<img src=x onerror="alert(1)">'
    assert add(client, name=name)["name"] == name


def test_the_list_is_in_creation_order_and_pages(client):
    ids = [add(client, name=f"item {i}")["id"] for i in range(5)]
    assert [p["id"] for p in client.get("/api/products").json()] == ids
    page = client.get("/api/products", params={"limit": 2, "offset": 3}).json()
    assert [p["id"] for p in page] == ids[3:5]


def test_an_unknown_id_is_404(client):
    response = client.get("/api/products/4242")
    assert response.status_code == 404
    assert response.json() == {"detail": "product not found"}


@pytest.mark.parametrize("product_id", ["abc", "0", "-1", str(2**63), "1.5"])
def test_an_id_that_is_not_a_bigint_is_422(client, product_id):
    assert client.get(f"/api/products/{product_id}").status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"price": "1.00"},  # no name
        {"name": "Tea"},  # no price
        {"name": "", "price": "1.00"},
        {"name": "   ", "price": "1.00"},
        {"name": "x" * 201, "price": "1.00"},
        {"name": 7, "price": "1.00"},
        {"name": "Tea", "price": "-0.01"},
        {"name": "Tea", "price": "1.005"},  # more than two decimals
        {"name": "Tea", "price": "100000000.00"},  # more than numeric(10,2) holds
        {"name": "Tea", "price": "NaN"},
        {"name": "Tea", "price": "cheap"},
        {"name": "Tea", "price": "1.00", "id": 9},  # the server assigns ids
    ],
)
def test_invalid_input_is_422_and_stores_nothing(client, body):
    response = client.post("/api/products", json=body)
    assert response.status_code == 422, response.text
    assert client.get("/api/products").json() == []


def test_a_body_that_is_not_json_is_422(client):
    response = client.post("/api/products", content=b"name=Tea", headers={"content-type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"offset": -1}])
def test_paging_out_of_range_is_422(client, params):
    assert client.get("/api/products", params=params).status_code == 422


def test_the_longest_name_and_the_largest_price_fit(client):
    created = add(client, name="x" * 200, price="99999999.99")
    assert created["price"] == "99999999.99"


def test_health_and_readiness_when_all_is_well(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"

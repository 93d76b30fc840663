-- The catalogue. Prices are exact (numeric, two decimals), never floats.
CREATE TABLE products (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text          NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    price      numeric(10,2) NOT NULL CHECK (price >= 0),
    created_at timestamptz   NOT NULL DEFAULT now()
);

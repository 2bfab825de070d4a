"""Products: the brand's catalogue, the pages links and the partner's product page send shoppers to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from functions.api.schemas import Page, StrictBody
from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.catalog import service as products
from starling.catalog.model import MAX_AMOUNT, MAX_NAME_LENGTH, MAX_SKU_LENGTH
from starling.catalog.repository import DynamoProductRepository
from starling.identity.model import Area
from starling.identity.repository import DynamoIdentityRepository
from starling.shared.destinations import MAX_URL_LENGTH

router = CapabilityRouter("Catalog")


class PriceIn(StrictBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"amount": 2900, "currency": "USD"}]})

    amount: int = Field(strict=True, ge=0, le=MAX_AMOUNT, description="Minor units: 1999 is 19.99")
    currency: str = Field(strict=True, max_length=8, description="An ISO 4217 currency in use: USD, EUR, JPY")


class ProductCreate(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Glow Serum",
                    "url": "https://shop.example.com/serum",
                    "price": {"amount": 2900, "currency": "USD"},
                    "sku": "GS-30",
                }
            ]
        }
    )

    name: str = Field(max_length=MAX_NAME_LENGTH)
    url: str = Field(max_length=MAX_URL_LENGTH, description="On one of the brand's allowed domains")
    image_url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)
    price: PriceIn | None = None
    sku: str | None = Field(default=None, max_length=MAX_SKU_LENGTH)


class PricePatch(StrictBody):
    """Merged into the product's price: send the amount alone to change it in the same currency."""

    not_clearable = frozenset({"amount", "currency"})

    amount: int | None = Field(default=None, strict=True, ge=0, le=MAX_AMOUNT, description="Minor units")
    currency: str | None = Field(default=None, strict=True, max_length=8, description="ISO 4217")


class ProductPatch(StrictBody):
    """A JSON Merge Patch: only the fields sent change; null clears image_url, price or sku; price merges."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"price": {"amount": 2500, "currency": "USD"}, "image_url": None}]}
    )
    name: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)
    image_url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)
    price: PricePatch | None = None
    sku: str | None = Field(default=None, max_length=MAX_SKU_LENGTH)


class PriceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    amount: int
    currency: str


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: str
    name: str
    url: str
    image_url: str | None
    price: PriceOut | None
    sku: str | None
    created_at: datetime
    updated_at: datetime


@router.post(
    "/v1/products",
    summary="Add a product; its url must be on one of the brand's allowed domains",
    status_code=201,
)
@requires(Area.PRODUCTS, write=True)
def handle_create_product(body: ProductCreate) -> ProductOut:
    caller = principal(router)
    product = products.create_product(
        DynamoProductRepository(), DynamoIdentityRepository(), caller.brand_id, body.model_dump()
    )
    return ProductOut.model_validate(product)


@router.get("/v1/products", summary="The brand's products, newest first")
@requires(Area.PRODUCTS)
def handle_list_products(
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[ProductOut]:
    caller = principal(router)
    found, next_cursor = products.list_products(DynamoProductRepository(), caller.brand_id, limit, cursor)
    return Page[ProductOut](items=[ProductOut.model_validate(p) for p in found], next_cursor=next_cursor)


@router.get("/v1/products/<product_id>", summary="One product")
@requires(Area.PRODUCTS)
def handle_get_product(product_id: str) -> ProductOut:
    caller = principal(router)
    return ProductOut.model_validate(
        products.get_product(DynamoProductRepository(), caller.brand_id, product_id)
    )


@router.patch("/v1/products/<product_id>", summary="Change a product; null clears image_url, price or sku")
@requires(Area.PRODUCTS, write=True)
def handle_patch_product(product_id: str, body: ProductPatch) -> ProductOut:
    caller = principal(router)
    product = products.update_product(
        DynamoProductRepository(),
        DynamoIdentityRepository(),
        caller.brand_id,
        product_id,
        body.model_dump(exclude_unset=True),
    )
    return ProductOut.model_validate(product)


class ProductDeleted(BaseModel):
    product_id: str
    deleted: bool = Field(description="Always true: the product is gone; links made to it keep redirecting")


@router.delete(
    "/v1/products/<product_id>",
    summary="Delete a product; links made to it keep their destination and keep working",
)
@requires(Area.PRODUCTS, write=True)
def handle_delete_product(product_id: str) -> ProductDeleted:
    caller = principal(router)
    products.delete_product(DynamoProductRepository(), caller.brand_id, product_id)
    return ProductDeleted(product_id=product_id, deleted=True)

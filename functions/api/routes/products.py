"""Products: the brand's catalogue, the pages links and the partner's product page send shoppers to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel, Field

from functions.api.schemas import Page, StrictBody
from starling.api.auth import principal, requires
from starling.catalog import service as products
from starling.catalog.model import MAX_AMOUNT, MAX_NAME_LENGTH, MAX_SKU_LENGTH, Product
from starling.catalog.repository import DynamoProductRepository
from starling.identity.repository import DynamoIdentityRepository
from starling.identity.roles import Area
from starling.shared.destinations import MAX_URL_LENGTH
from starling.shared.paging import clamp_limit

router = APIGatewayHttpRouter()


class PriceIn(StrictBody):
    amount: int = Field(strict=True, ge=0, le=MAX_AMOUNT, description="Minor units: 1999 is 19.99")
    currency: str = Field(strict=True, max_length=8, description="ISO 4217, three uppercase letters: USD")


class ProductCreate(StrictBody):
    name: str = Field(max_length=MAX_NAME_LENGTH)
    url: str = Field(max_length=MAX_URL_LENGTH, description="On one of the brand's allowed domains")
    image_url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)
    price: PriceIn | None = None
    sku: str | None = Field(default=None, max_length=MAX_SKU_LENGTH)


class ProductPatch(StrictBody):
    """Only the fields sent change; null clears image_url, price or sku."""

    name: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)
    image_url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)
    price: PriceIn | None = None
    sku: str | None = Field(default=None, max_length=MAX_SKU_LENGTH)


class PriceOut(BaseModel):
    amount: int
    currency: str


class ProductOut(BaseModel):
    product_id: str
    name: str
    url: str
    image_url: str | None
    price: PriceOut | None
    sku: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, p: Product) -> ProductOut:
        return cls(
            product_id=p.product_id,
            name=p.name,
            url=p.url,
            image_url=p.image_url,
            price=PriceOut(amount=p.price.amount, currency=p.price.currency) if p.price else None,
            sku=p.sku,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )


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
    return ProductOut.of(product)


@router.get("/v1/products", summary="The brand's products, newest first")
@requires(Area.PRODUCTS)
def handle_list_products(
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Page[ProductOut]:
    caller = principal(router)
    found, next_cursor = DynamoProductRepository().list_page(caller.brand_id, clamp_limit(limit), cursor)
    return Page[ProductOut](items=[ProductOut.of(p) for p in found], next_cursor=next_cursor)


@router.get("/v1/products/<product_id>", summary="One product")
@requires(Area.PRODUCTS)
def handle_get_product(product_id: str) -> ProductOut:
    caller = principal(router)
    return ProductOut.of(DynamoProductRepository().get(caller.brand_id, product_id))


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
    return ProductOut.of(product)

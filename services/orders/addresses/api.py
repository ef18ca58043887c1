"""Address book routes: the signed-in customer's own saved shipping addresses."""

from uuid import UUID

from fastapi import APIRouter, Response, status

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.idempotency import IdempotencyDep
from services.orders.addresses import service
from services.orders.addresses.schemas import AddressOut, AddressRequest

router = APIRouter(prefix="/addresses/me", tags=["addresses"])


@router.get("", summary="One's saved addresses, oldest first", responses=responses(401))
async def list_addresses(session: SessionDep, customer: PrincipalDep) -> list[AddressOut]:
    return await service.book(session, customer.user_id)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AddressOut,
    summary="Save an address (at most 20; the first is the default; once per Idempotency-Key)",
    responses=responses(401, 403, 409, 422),
)
async def create_address(
    body: AddressRequest,
    session: SessionDep,
    customer: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def create() -> AddressOut:
        return await service.create(session, customer.user_id, body)

    return await idempotency.run(
        session,
        caller=customer.user_id,
        request=body,
        command=create,
        status_code=status.HTTP_201_CREATED,
    )


@router.put(
    "/{address_id}",
    summary="Change a saved address (orders already placed keep theirs)",
    responses=responses(401, 403, 404, 422),
)
async def change_address(
    address_id: UUID, body: AddressRequest, session: SessionDep, customer: PrincipalDep
) -> AddressOut:
    address = await service.change(session, customer.user_id, address_id, body)
    await session.commit()
    return address


@router.delete(
    "/{address_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a saved address",
    responses=responses(401, 404, 422),
)
async def delete_address(address_id: UUID, session: SessionDep, customer: PrincipalDep) -> Response:
    await service.remove(session, customer.user_id, address_id)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)

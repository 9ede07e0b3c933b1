"""Proof cassette: the 2013 login (two compute services) and ORD compute through openstacksdk."""

from raxcassette import Script, get, raw_response
from raxcassette import rackspace as rax

PHP = "php-opencloud/tests/OpenCloud/Tests/Compute/_response"
LOGIN = rax.login_2013()
C = rax.endpoint(LOGIN, "compute", "ORD", name="cloudServersOpenStack")

SCRIPT = Script(
    name="proof/compute_ord_2013",
    description="openstacksdk with the 2013 catalogue in ORD: flavors and images recorded in ORD",
    steps=(
        LOGIN,
        rax.compute_discovery(LOGIN, "ORD"),
        get(f"{C}/flavors?is_public=None", raw_response(f"{PHP}/Flavor_List.resp")),
        get(f"{C}/images", raw_response(f"{PHP}/Image_List.resp")),
    ),
)

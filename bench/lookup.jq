# The image of a deployment's first container, the way one would ask jq for it.
# Usage: jq -r --arg mod module.svc_1 --arg type kubernetes_deployment_v1 --arg name app -f bench/lookup.jq STATE
.resources[]
| select((.module // "") == $mod and .mode == "managed" and .type == $type and .name == $name)
| .instances[0].attributes.spec[0].template[0].spec[0].container[0].image

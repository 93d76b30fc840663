# The same in every stage root (test.sh checks they are identical and tries the rules).

variable "image_tag" {
  description = "The tag both images run: the commit SHA they were built from (7 to 40 lower-case hex digits), or a SemVer version (1.4.2, 1.5.0-rc.1). Never latest: a moving tag would make the state lie about what runs."
  type        = string
  nullable    = false
  validation {
    condition = (
      can(regex("^[0-9a-f]{7,40}$", var.image_tag)) ||
      # SemVer 2.0.0 (semver.org's own expression) without build metadata, which a Docker tag
      # cannot carry ('+' is not allowed in a tag).
      can(regex("^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-((0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(\\.(0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?$", var.image_tag))
    )
    error_message = "image_tag must be a commit SHA (7 to 40 lower-case hex digits) or a SemVer version such as 1.4.2 or 1.5.0-rc.1; got something else (latest and other moving tags are refused)."
  }
}

variable "image_org" {
  description = "The Docker Hub organisation (or user) the images are pushed to: docker.io/<image_org>/shop-backend. Set by the workflows from the repository variable IMAGE_ORG (their `variables:` input, as TF_VAR_image_org)."
  type        = string
  nullable    = false
}

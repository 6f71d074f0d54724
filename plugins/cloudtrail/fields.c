/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ct.*, s3.*, ec2.*, ecr.* and iam.* fields. Names, order (= field id),
 * types, display labels' role and properties follow the upstream cloudtrail
 * plugin 0.17.1, so its rule files work unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudtrail.h"

/* X(id, name, type, props, display, desc): type STR or U64; props NONE, HIDDEN, CONV, INFO. */
#define CT_FIELDS(X, XLAST)                                                                        \
    X(ID, "ct.id", STR, NONE, "Event ID", "Unique id of the record (eventID).")                    \
    X(ERROR, "ct.error", STR, NONE, "Error Code",                                                  \
      "Error code of a failed request (errorCode); no value when the request succeeded.")          \
    X(ERRORMESSAGE, "ct.errormessage", STR, NONE, "Error Message",                                 \
      "Error message of a failed request (errorMessage).")                                         \
    X(TIME, "ct.time", STR, HIDDEN, "Timestamp", "Time of the record as written (eventTime).")     \
    X(SRC, "ct.src", STR, NONE, "AWS Service",                                                     \
      "Service the request went to (eventSource, e.g. s3.amazonaws.com).")                         \
    X(SHORTSRC, "ct.shortsrc", STR, NONE, "AWS Service",                                           \
      "Service the request went to, without the .amazonaws.com suffix.")                           \
    X(NAME, "ct.name", STR, NONE, "Event Name", "API call or action (eventName).")                 \
    X(USER, "ct.user", STR, CONV, "User Name",                                                     \
      "Who made the request, by identity type: the user name of Root and IAMUser, the invoking "   \
      "service of AWSService, the role of AssumedRole.")                                           \
    X(ORIGINALUSER, "ct.originaluser", STR, NONE, "Original User Name",                            \
      "For AssumedRole, the session name behind the role; otherwise userIdentity.userName.")       \
    X(USER_ACCOUNTID, "ct.user.accountid", STR, NONE, "User Account ID",                           \
      "Account of the requester (userIdentity.accountId, else recipientAccountId).")               \
    X(USER_IDENTITYTYPE, "ct.user.identitytype", STR, NONE, "User Identity Type",                  \
      "Kind of identity (Root, IAMUser, AssumedRole, AWSService, ...).")                           \
    X(USER_PRINCIPALID, "ct.user.principalid", STR, NONE, "User Principal Id",                     \
      "Unique id of the requester (userIdentity.principalId).")                                    \
    X(USER_ARN, "ct.user.arn", STR, NONE, "User ARN", "ARN of the requester.")                     \
    X(REGION, "ct.region", STR, NONE, "Region", "Region of the request (awsRegion).")              \
    X(RESPONSE_SUBNETID, "ct.response.subnetid", STR, NONE, "Response Subnet ID",                  \
      "responseElements.subnetId.")                                                                \
    X(RESPONSE_RESERVATIONID, "ct.response.reservationid", STR, NONE, "Response Reservation ID",   \
      "responseElements.reservationId.")                                                           \
    X(RESPONSE, "ct.response", STR, NONE, "Response Elements",                                     \
      "All of responseElements, as JSON.")                                                         \
    X(REQ_AZ, "ct.request.availabilityzone", STR, NONE, "Request Availability Zone",               \
      "requestParameters.availabilityZone.")                                                       \
    X(REQ_CLUSTER, "ct.request.cluster", STR, NONE, "Request Cluster",                             \
      "requestParameters.cluster.")                                                                \
    X(REQ_FUNCTIONNAME, "ct.request.functionname", STR, NONE, "Request Function Name",             \
      "requestParameters.functionName.")                                                           \
    X(REQ_GROUPNAME, "ct.request.groupname", STR, NONE, "Request Group Name",                      \
      "requestParameters.groupName.")                                                              \
    X(REQ_HOST, "ct.request.host", STR, NONE, "Request Host Name", "requestParameters.Host.")      \
    X(REQ_NAME, "ct.request.name", STR, NONE, "Request Name",                                      \
      "Name of the entity the request acts on (requestParameters.name).")                          \
    X(REQ_POLICY, "ct.request.policy", STR, NONE, "Request Policy", "requestParameters.policy.")   \
    X(REQ_REASON, "ct.request.reason", STR, NONE, "Request Reason", "requestParameters.reason.")   \
    X(REQ_TARGET, "ct.request.target", STR, NONE, "Request Target", "requestParameters.target.")   \
    X(REQ_DOCUMENTNAME, "ct.request.documentname", STR, NONE, "Request Document Name",             \
      "requestParameters.documentName.")                                                           \
    X(REQ_SERIALNUMBER, "ct.request.serialnumber", STR, NONE, "Request Serial Number",             \
      "requestParameters.serialNumber.")                                                           \
    X(REQ_SERVICENAME, "ct.request.servicename", STR, NONE, "Request Service Name",                \
      "requestParameters.serviceName.")                                                            \
    X(REQ_SUBNETID, "ct.request.subnetid", STR, NONE, "Request Subnet ID",                         \
      "requestParameters.subnetId.")                                                               \
    X(REQ_TASKDEFINITION, "ct.request.taskdefinition", STR, NONE, "Request Task Definition",       \
      "requestParameters.taskDefinition.")                                                         \
    X(REQ_USERNAME, "ct.request.username", STR, NONE, "Request User Name",                         \
      "requestParameters.userName.")                                                               \
    X(REQUEST, "ct.request", STR, NONE, "Request Parameters",                                      \
      "All of requestParameters, as JSON.")                                                        \
    X(SRCIP, "ct.srcip", STR, CONV, "Source IP",                                                   \
      "Address the request came from (sourceIPAddress).")                                          \
    X(USERAGENT, "ct.useragent", STR, NONE, "User Agent", "User agent of the client.")             \
    X(INFO, "ct.info", STR, INFO, "Info",                                                          \
      "Summary of the record: who, from where, read or write, what, and details such as the S3 "   \
      "object.")                                                                                   \
    X(MANAGEMENTEVENT, "ct.managementevent", STR, NONE, "Management Event",                        \
      "true for a management event, else false (managementEvent).")                                \
    X(READONLY, "ct.readonly", STR, NONE, "Read Only",                                             \
      "true when the call only reads, false when it changes something (readOnly; guessed from "    \
      "the event name when absent).")                                                              \
    X(REQUESTID, "ct.requestid", STR, NONE, "Request ID", "requestID.")                            \
    X(EVENTTYPE, "ct.eventtype", STR, NONE, "Event Type",                                          \
      "eventType (AwsApiCall, AwsConsoleSignIn, AwsServiceEvent, ...).")                           \
    X(APIVERSION, "ct.apiversion", STR, NONE, "API Version", "apiVersion.")                        \
    X(RESOURCES, "ct.resources", STR, NONE, "Resources",                                           \
      "The resources[] of the record, each as JSON, separated by commas.")                         \
    X(RECIPIENTACCOUNTID, "ct.recipientaccountid", STR, NONE, "Recipient Account ID",              \
      "recipientAccountId.")                                                                       \
    X(SERVICEEVENTDETAILS, "ct.serviceeventdetails", STR, NONE, "Service Event Details",           \
      "serviceEventDetails (JSON when it is an object).")                                          \
    X(SHAREDEVENTID, "ct.sharedeventid", STR, NONE, "Shared Event ID", "sharedEventID.")           \
    X(VPCENDPOINTID, "ct.vpcendpointid", STR, NONE, "VPC Endpoint ID", "vpcEndpointId.")           \
    X(EVENTCATEGORY, "ct.eventcategory", STR, NONE, "Event Category",                              \
      "eventCategory (Management, Data, Insight).")                                                \
    X(ADDENDUM_REASON, "ct.addendum.reason", STR, NONE, "Addendum Reason", "addendum.reason.")     \
    X(ADDENDUM_UPDATEDFIELDS, "ct.addendum.updatedfields", STR, NONE, "Addendum Updated Fields",   \
      "addendum.updatedFields.")                                                                   \
    X(ADDENDUM_ORIGREQID, "ct.addendum.originalrequestid", STR, NONE,                              \
      "Addendum Original Request ID", "addendum.originalRequestID.")                               \
    X(ADDENDUM_ORIGEVTID, "ct.addendum.originaleventid", STR, NONE, "Addendum Original Event ID",  \
      "addendum.originalEventID.")                                                                 \
    X(SESSIONCRED, "ct.sessioncredentialfromconsole", STR, NONE,                                   \
      "Session Credential From Console",                                                           \
      "true when the request used console session credentials, else false.")                       \
    X(EDGEDEVICEDETAILS, "ct.edgedevicedetails", STR, NONE, "Edge Device Details",                 \
      "edgeDeviceDetails (JSON when it is an object).")                                            \
    X(TLS_VERSION, "ct.tlsdetails.tlsversion", STR, NONE, "TLS Version", "tlsDetails.tlsVersion.") \
    X(TLS_CIPHERSUITE, "ct.tlsdetails.ciphersuite", STR, NONE, "TLS Cipher Suite",                 \
      "tlsDetails.cipherSuite.")                                                                   \
    X(TLS_HOSTHEADER, "ct.tlsdetails.clientprovidedhostheader", STR, NONE,                         \
      "Client Provided Host Header", "tlsDetails.clientProvidedHostHeader.")                       \
    X(ADDITIONALEVENTDATA, "ct.additionaleventdata", STR, NONE, "Additional Event Data",           \
      "All of additionalEventData, as JSON.")                                                      \
    X(S3_URI, "s3.uri", STR, CONV, "Key URI", "s3://<bucket>/<key> of an S3 request.")             \
    X(S3_BUCKET, "s3.bucket", STR, CONV, "Bucket Name", "Bucket of an S3 request.")                \
    X(S3_KEY, "s3.key", STR, NONE, "Key Name", "Object key of an S3 request.")                     \
    X(S3_BYTES, "s3.bytes", U64, NONE, "Total Bytes",                                              \
      "Bytes uploaded plus bytes downloaded by an S3 request.")                                    \
    X(S3_BYTES_IN, "s3.bytes.in", U64, HIDDEN, "Bytes In", "Bytes uploaded by an S3 request.")     \
    X(S3_BYTES_OUT, "s3.bytes.out", U64, HIDDEN, "Bytes Out",                                      \
      "Bytes downloaded by an S3 request.")                                                        \
    X(S3_CNT_GET, "s3.cnt.get", U64, HIDDEN, "N Get Ops", "1 for a GetObject record.")             \
    X(S3_CNT_PUT, "s3.cnt.put", U64, HIDDEN, "N Put Ops", "1 for a PutObject record.")             \
    X(S3_CNT_OTHER, "s3.cnt.other", U64, HIDDEN, "N Other Ops",                                    \
      "1 for any record but GetObject and PutObject.")                                             \
    X(EC2_NAME, "ec2.name", STR, NONE, "Instance Name",                                            \
      "Name tag given to the instances a request creates.")                                        \
    X(EC2_IMAGEID, "ec2.imageid", STR, NONE, "Image Id",                                           \
      "Deprecated (use ec2.imageids): the first image id.")                                        \
    X(EC2_IMAGEIDS, "ec2.imageids", LIST, NONE, "Image Ids",                                       \
      "Image ids of the instances in the response, else the image id of the request.")             \
    X(ECR_REPOSITORY, "ecr.repository", STR, NONE, "ECR Repository Name",                          \
      "ECR repository of the request.")                                                            \
    X(ECR_IMAGETAG, "ecr.imagetag", STR, NONE, "Image Tag", "Image tag of the request.")           \
    X(IAM_ROLE, "iam.role", STR, NONE, "IAM Role", "IAM role name of the request (roleName).")     \
    XLAST(IAM_POLICY, "iam.policy", STR, NONE, "IAM Policy",                                       \
          "IAM policy name of the request (policyName).")

enum ct_field {
#define FIELD_ENUM(id, name, type, props, display, desc) C_##id,
    CT_FIELDS(FIELD_ENUM, FIELD_ENUM)
#undef FIELD_ENUM
    C__COUNT
};

_Static_assert(C__COUNT == 73, "upstream cloudtrail 0.17.1 exports 73 fields");

#define TYPE_STR "\"type\":\"string\""
#define TYPE_U64 "\"type\":\"uint64\""
#define TYPE_LIST \
    "\"type\":\"string\",\"isList\":true,\"arg\":{\"isRequired\":false,\"isIndex\":true,\"isKey\":false}"
#define PROPS_NONE   ""
#define PROPS_HIDDEN ",\"properties\":[\"hidden\"]"
#define PROPS_CONV   ",\"properties\":[\"conversation\"]"
#define PROPS_INFO   ",\"properties\":[\"info\"]"
#define FIELD_JSON(id, name, type, props, display, desc)                                  \
    "{" TYPE_##type ",\"name\":\"" name "\",\"display\":\"" display "\",\"desc\":\"" desc \
                    "\"" PROPS_##props "},"
#define FIELD_JSON_LAST(id, name, type, props, display, desc)                             \
    "{" TYPE_##type ",\"name\":\"" name "\",\"display\":\"" display "\",\"desc\":\"" desc \
                    "\"" PROPS_##props "}"

const char CT_FIELDS_JSON[] = "[" CT_FIELDS(FIELD_JSON, FIELD_JSON_LAST) "]";

/* ---- Helpers -------------------------------------------------------------------------- */

static int set_str(struct ct_state *st, ss_plugin_extract_field *f, const char *s)
{
    if (s == NULL) {
        return 0;
    }
    if (jk_strlist_add_ref(&st->list, s) < 0) {
        return -1;
    }
    return jk_strlist_commit(&st->list, &st->store, f);
}

static int set_copy(struct ct_state *st, ss_plugin_extract_field *f, const char *p, size_t n)
{
    if (jk_strlist_add(&st->list, &st->store, p, n) < 0) {
        return -1;
    }
    return jk_strlist_commit(&st->list, &st->store, f);
}

/* A value's text (strings as they are, anything else as JSON); absent stays absent. */
static int set_text(struct ct_state *st, ss_plugin_extract_field *f, const cJSON *v)
{
    size_t len;
    const char *t;

    if (v == NULL) {
        return 0;
    }
    if (cJSON_IsString(v)) {
        return set_str(st, f, v->valuestring);
    }
    t = jk_text(&st->text, v, &len);
    return t == NULL ? -1 : set_copy(st, f, t, len);
}

static int set_u64(struct ct_state *st, ss_plugin_extract_field *f, uint64_t v)
{
    return saker_field_set_u64(&st->store, f, v);
}

static bool truthy(const cJSON *v)
{
    return cJSON_IsTrue(v) || (cJSON_IsString(v) && strcmp(v->valuestring, "true") == 0);
}

static const char *str_at(const cJSON *root, const char *a, const char *b)
{
    return b ? jk_get_str(root, JK_KEYS(a, b)) : jk_get_str(root, JK_KEYS(a));
}

/* Byte counts are sometimes floats (33.0); fractions are cut, negatives are 0. */
static uint64_t as_u64(const cJSON *v)
{
    double d = cJSON_IsNumber(v) ? v->valuedouble : 0;

    return d > 0 ? (d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d) : 0;
}

bool ct_user(const cJSON *root, const char **user)
{
    const char *type = jk_get_str(root, JK_KEYS("userIdentity", "type"));

    *user = NULL;
    if (type == NULL) {
        return false;
    }
    if (strcmp(type, "Root") == 0 || strcmp(type, "IAMUser") == 0) {
        *user = jk_get_str(root, JK_KEYS("userIdentity", "userName"));
    } else if (strcmp(type, "AWSService") == 0) {
        *user = jk_get_str(root, JK_KEYS("userIdentity", "invokedBy"));
    } else if (strcmp(type, "AssumedRole") == 0) {
        *user = jk_get_str(root,
                           JK_KEYS("userIdentity", "sessionContext", "sessionIssuer", "userName"));
        if (*user == NULL) {
            *user = "AssumedRole";
        }
    } else if (strcmp(type, "AWSAccount") == 0) {
        *user = "AWSAccount";
    } else if (strcmp(type, "FederatedUser") == 0) {
        *user = "FederatedUser";
    }
    return *user != NULL;
}

static int original_user(struct ct_state *st, const cJSON *root, ss_plugin_extract_field *f)
{
    const char *type = jk_get_str(root, JK_KEYS("userIdentity", "type"));

    if (type != NULL && strcmp(type, "AssumedRole") == 0) {
        const char *arn = jk_get_str(root, JK_KEYS("userIdentity", "arn"));
        const char *pid = jk_get_str(root, JK_KEYS("userIdentity", "principalId"));
        if (arn != NULL) {
            const char *s1 = strchr(arn, '/');
            const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
            if (s2 != NULL && strchr(s2 + 1, '/') == NULL) {
                return set_str(st, f, s2 + 1);
            }
        }
        if (pid != NULL && strchr(pid, ':') != NULL) {
            return set_str(st, f, strchr(pid, ':') + 1);
        }
        return 0;
    }
    return set_str(st, f, jk_get_str(root, JK_KEYS("userIdentity", "userName")));
}

/* Event names that change state, used when a record has no readOnly. */
static bool mutating_name(const char *name)
{
    static const char *const prefixes[] = {
        "Start",     "Stop",       "Create",    "Destroy",      "Delete",     "Add",    "Remove",
        "Terminate", "Put",        "Associate", "Disassociate", "Attach",     "Detach", "Open",
        "Close",     "Wipe",       "Update",    "Upgrade",      "Unlink",     "Assign", "Unassign",
        "Suspend",   "Set",        "Run",       "Register",     "Deregister", "Reboot", "Purchase",
        "Modify",    "Initialize", "Enable",    "Disable",      "Cancel",     "Admin",  "Activate",
    };
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) {
            return true;
        }
    }
    return false;
}

/* "true"/"false", or NULL when it cannot be told. */
static const char *readonly(const cJSON *root)
{
    const cJSON *ro = jk_get(root, JK_KEYS("readOnly"));
    const char *name;

    if (ro != NULL) {
        return truthy(ro) ? "true" : "false";
    }
    name = jk_get_str(root, JK_KEYS("eventName"));
    if (name == NULL) {
        return NULL;
    }
    return mutating_name(name) ? "false" : "true";
}

static const char *short_src(const char *src, size_t *len)
{
    static const char suffix[] = ".amazonaws.com";
    size_t n = strlen(src), sl = sizeof(suffix) - 1;

    *len = (n > sl && strcmp(src + n - sl, suffix) == 0) ? n - sl : n;
    return src;
}

static bool s3_bytes(const cJSON *root, int which, uint64_t *out)
{
    const cJSON *in = jk_get(root, JK_KEYS("additionalEventData", "bytesTransferredIn"));
    const cJSON *outb = jk_get(root, JK_KEYS("additionalEventData", "bytesTransferredOut"));

    switch (which) {
    case 0:
        *out = as_u64(in) + as_u64(outb);
        return in != NULL || outb != NULL;
    case 1:
        *out = as_u64(in);
        return in != NULL;
    default:
        *out = as_u64(outb);
        return outb != NULL;
    }
}

/* Appends pre, mid and post. */
static int append3(struct jk_buf *b, const char *pre, const char *mid, const char *post)
{
    if (jk_buf_append(b, pre, strlen(pre)) < 0 || jk_buf_append(b, mid, strlen(mid)) < 0) {
        return -1;
    }
    return jk_buf_append(b, post, strlen(post));
}

int ct_info(const cJSON *root, struct jk_buf *b)
{
    const char *user, *srcip, *name, *ro, *bucket, *key, *host;
    const cJSON *pab;
    uint64_t bytes;
    char num[32];

    b->len = 0;
    if (jk_buf_append(b, "", 0) < 0) {
        return -1;
    }
    if (!ct_user(root, &user)) {
        return jk_buf_append(b, "<invalid cloudtrail record: no user identity>", 45);
    }
    srcip = jk_get_str(root, JK_KEYS("sourceIPAddress"));
    if (srcip == NULL) {
        return jk_buf_append(b, "<invalid cloudtrail record: no sourceIPAddress>", 47);
    }
    name = jk_get_str(root, JK_KEYS("eventName"));
    if (name == NULL) {
        return jk_buf_append(b, "<invalid cloudtrail record: no eventName>", 41);
    }
    ro = readonly(root);
    if (jk_buf_append(b, user, strlen(user)) < 0 ||
        (strcmp(user, srcip) != 0 && append3(b, " via ", srcip, "") < 0) ||
        jk_buf_append(b, " ", 1) < 0 ||
        (jk_get(root, JK_KEYS("errorCode")) != NULL && jk_buf_append(b, "!", 1) < 0) ||
        append3(b, "", (ro != NULL && strcmp(ro, "false") == 0) ? "\xe2\x86\x92" : "\xe2\x86\x90",
                " ") < 0 ||
        jk_buf_append(b, name, strlen(name)) < 0) {
        return -1;
    }
    if (strcmp(name, "PutBucketPublicAccessBlock") == 0) {
        pab = jk_get(root, JK_KEYS("requestParameters", "PublicAccessBlockConfiguration"));
        if (cJSON_IsObject(pab)) {
            static const char *const keys[] = { "BlockPublicAcls", "BlockPublicPolicy",
                                                "IgnorePublicAcls", "RestrictPublicBuckets" };
            for (size_t i = 0; i < 4; i++) {
                if (jk_buf_append(b, " ", 1) < 0 ||
                    jk_buf_append(b, keys[i], strlen(keys[i])) < 0 ||
                    append3(b, "=", truthy(jk_get(pab, &keys[i], 1)) ? "true" : "false", "") < 0) {
                    return -1;
                }
            }
            return jk_buf_append(b, " ", 1);
        }
        return 0;
    }
    if (s3_bytes(root, 0, &bytes)) {
        int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)bytes);
        if (n < 0 || (size_t)n >= sizeof(num) || append3(b, " Size=", num, "") < 0) {
            return -1;
        }
    }
    bucket = jk_get_str(root, JK_KEYS("requestParameters", "bucketName"));
    key = jk_get_str(root, JK_KEYS("requestParameters", "key"));
    if (bucket != NULL && key != NULL) {
        return jk_buf_append(b, " URI=s3://", 10) < 0 ||
                               jk_buf_append(b, bucket, strlen(bucket)) < 0 ||
                               jk_buf_append(b, "/", 1) < 0 ||
                               jk_buf_append(b, key, strlen(key)) < 0
                       ? -1
                       : 0;
    }
    if (bucket != NULL) {
        return append3(b, " Bucket=", bucket, "");
    }
    if (key != NULL) {
        return append3(b, " Key=", key, "");
    }
    host = jk_get_str(root, JK_KEYS("requestParameters", "Host"));
    if (host != NULL) {
        return append3(b, " Host=", host, "");
    }
    return 0;
}

static int add_image(struct ct_state *st, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        return jk_strlist_add_ref(&st->list, v->valuestring);
    }
    if (cJSON_IsObject(v)) {
        const char *c = jk_get_str(v, JK_KEYS("content"));
        return c ? jk_strlist_add_ref(&st->list, c) : 0;
    }
    return 0;
}

/* ec2.imageids into st->list. */
static int image_ids(struct ct_state *st, const cJSON *root)
{
    const cJSON *items = jk_get(root, JK_KEYS("responseElements", "instancesSet", "items"));
    const cJSON *v;

    if (cJSON_IsArray(items)) {
        for (const cJSON *c = items->child; c != NULL; c = c->next) {
            if (add_image(st, jk_get(c, JK_KEYS("imageId"))) < 0) {
                return -1;
            }
        }
    }
    if (st->list.n == 0 &&
        add_image(st, jk_get(root, JK_KEYS("requestParameters", "imageId"))) < 0) {
        return -1;
    }
    if (st->list.n == 0) {
        v = jk_get(root,
                   JK_KEYS("requestParameters", "DescribeFastLaunchImagesRequest", "ImageId"));
        if (cJSON_IsArray(v)) {
            for (const cJSON *c = v->child; c != NULL; c = c->next) {
                if (add_image(st, c) < 0) {
                    return -1;
                }
            }
        } else if (add_image(st, v) < 0) {
            return -1;
        }
    }
    if (st->list.n == 0 &&
        add_image(st, jk_get(root,
                             JK_KEYS("requestParameters", "launchSpecification", "imageId"))) < 0) {
        return -1;
    }
    return 0;
}

static int ec2_name(struct ct_state *st, const cJSON *root, ss_plugin_extract_field *f)
{
    const cJSON *items = jk_get(root, JK_KEYS("requestParameters", "tagSpecificationSet", "items"));
    const char *name = NULL;

    if (!cJSON_IsArray(items)) {
        return 0;
    }
    for (const cJSON *it = items->child; it != NULL; it = it->next) {
        const char *type = jk_get_str(it, JK_KEYS("resourceType"));
        const cJSON *tags = jk_get(it, JK_KEYS("tags"));
        if (type == NULL || strcmp(type, "instance") != 0 || !cJSON_IsArray(tags)) {
            continue;
        }
        for (const cJSON *t = tags->child; t != NULL; t = t->next) {
            const char *k = jk_get_str(t, JK_KEYS("key"));
            if (k != NULL && strcmp(k, "Name") == 0) {
                name = jk_get_str(t, JK_KEYS("value"));
                break;
            }
        }
    }
    return (name != NULL && name[0] != '\0') ? set_str(st, f, name) : 0;
}

static int resources(struct ct_state *st, const cJSON *root, ss_plugin_extract_field *f)
{
    const cJSON *res = jk_get(root, JK_KEYS("resources"));
    struct jk_buf *b = &st->info;

    if (!cJSON_IsArray(res)) {
        return 0;
    }
    b->len = 0;
    if (jk_buf_append(b, "", 0) < 0) {
        return -1;
    }
    for (const cJSON *c = res->child; c != NULL; c = c->next) {
        if ((c != res->child && jk_buf_append(b, ",", 1) < 0) ||
            jk_print_compact(&st->text, c) < 0 || jk_buf_append(b, st->text.p, st->text.len) < 0) {
            return -1;
        }
    }
    return set_copy(st, f, b->p, b->len);
}

int ct_extract(struct ct_state *st, const cJSON *root, ss_plugin_extract_field *f)
{
    const char *s;
    size_t len;
    uint64_t u;

    f->res_len = 0;
    jk_strlist_reset(&st->list);
    if (!cJSON_IsObject(root)) {
        return 0;
    }
    switch ((enum ct_field)f->field_id) {
    case C_ID:
        return set_str(st, f, str_at(root, "eventID", NULL));
    case C_ERROR:
        return set_str(st, f, str_at(root, "errorCode", NULL));
    case C_ERRORMESSAGE:
        return set_str(st, f, str_at(root, "errorMessage", NULL));
    case C_TIME:
        return set_str(st, f, str_at(root, "eventTime", NULL));
    case C_SRC:
        return set_str(st, f, str_at(root, "eventSource", NULL));
    case C_SHORTSRC:
        s = str_at(root, "eventSource", NULL);
        if (s == NULL) {
            return 0;
        }
        s = short_src(s, &len);
        return set_copy(st, f, s, len);
    case C_NAME:
        return set_str(st, f, str_at(root, "eventName", NULL));
    case C_USER:
        return ct_user(root, &s) ? set_str(st, f, s) : 0;
    case C_ORIGINALUSER:
        return original_user(st, root, f);
    case C_USER_ACCOUNTID:
        s = str_at(root, "userIdentity", "accountId");
        return set_str(st, f, s ? s : str_at(root, "recipientAccountId", NULL));
    case C_USER_IDENTITYTYPE:
        return set_str(st, f, str_at(root, "userIdentity", "type"));
    case C_USER_PRINCIPALID:
        return set_str(st, f, str_at(root, "userIdentity", "principalId"));
    case C_USER_ARN:
        return set_str(st, f, str_at(root, "userIdentity", "arn"));
    case C_REGION:
        return set_str(st, f, str_at(root, "awsRegion", NULL));
    case C_RESPONSE_SUBNETID:
        return set_str(st, f, str_at(root, "responseElements", "subnetId"));
    case C_RESPONSE_RESERVATIONID:
        return set_str(st, f, str_at(root, "responseElements", "reservationId"));
    case C_RESPONSE:
        return set_text(st, f, jk_get(root, JK_KEYS("responseElements")));
    case C_REQ_AZ:
        return set_str(st, f, str_at(root, "requestParameters", "availabilityZone"));
    case C_REQ_CLUSTER:
        return set_str(st, f, str_at(root, "requestParameters", "cluster"));
    case C_REQ_FUNCTIONNAME:
        return set_str(st, f, str_at(root, "requestParameters", "functionName"));
    case C_REQ_GROUPNAME:
        return set_str(st, f, str_at(root, "requestParameters", "groupName"));
    case C_REQ_HOST:
        return set_str(st, f, str_at(root, "requestParameters", "Host"));
    case C_REQ_NAME:
        return set_str(st, f, str_at(root, "requestParameters", "name"));
    case C_REQ_POLICY:
        return set_str(st, f, str_at(root, "requestParameters", "policy"));
    case C_REQ_REASON:
        return set_str(st, f, str_at(root, "requestParameters", "reason"));
    case C_REQ_TARGET:
        return set_str(st, f, str_at(root, "requestParameters", "target"));
    case C_REQ_DOCUMENTNAME:
        return set_str(st, f, str_at(root, "requestParameters", "documentName"));
    case C_REQ_SERIALNUMBER:
        return set_str(st, f, str_at(root, "requestParameters", "serialNumber"));
    case C_REQ_SERVICENAME:
        return set_str(st, f, str_at(root, "requestParameters", "serviceName"));
    case C_REQ_SUBNETID:
        return set_str(st, f, str_at(root, "requestParameters", "subnetId"));
    case C_REQ_TASKDEFINITION:
        return set_str(st, f, str_at(root, "requestParameters", "taskDefinition"));
    case C_REQ_USERNAME:
        return set_str(st, f, str_at(root, "requestParameters", "userName"));
    case C_REQUEST:
        return set_text(st, f, jk_get(root, JK_KEYS("requestParameters")));
    case C_SRCIP:
        return set_str(st, f, str_at(root, "sourceIPAddress", NULL));
    case C_USERAGENT:
        return set_str(st, f, str_at(root, "userAgent", NULL));
    case C_INFO:
        if (ct_info(root, &st->info) < 0) {
            return -1;
        }
        return set_copy(st, f, st->info.p, st->info.len);
    case C_MANAGEMENTEVENT:
        return set_str(st, f, truthy(jk_get(root, JK_KEYS("managementEvent"))) ? "true" : "false");
    case C_READONLY:
        return set_str(st, f, readonly(root));
    case C_REQUESTID:
        return set_str(st, f, str_at(root, "requestID", NULL));
    case C_EVENTTYPE:
        return set_str(st, f, str_at(root, "eventType", NULL));
    case C_APIVERSION:
        return set_str(st, f, str_at(root, "apiVersion", NULL));
    case C_RESOURCES:
        return resources(st, root, f);
    case C_RECIPIENTACCOUNTID:
        return set_str(st, f, str_at(root, "recipientAccountId", NULL));
    case C_SERVICEEVENTDETAILS:
        return set_text(st, f, jk_get(root, JK_KEYS("serviceEventDetails")));
    case C_SHAREDEVENTID:
        return set_str(st, f, str_at(root, "sharedEventID", NULL));
    case C_VPCENDPOINTID:
        return set_str(st, f, str_at(root, "vpcEndpointId", NULL));
    case C_EVENTCATEGORY:
        return set_str(st, f, str_at(root, "eventCategory", NULL));
    case C_ADDENDUM_REASON:
        return set_str(st, f, str_at(root, "addendum", "reason"));
    case C_ADDENDUM_UPDATEDFIELDS:
        return set_text(st, f, jk_get(root, JK_KEYS("addendum", "updatedFields")));
    case C_ADDENDUM_ORIGREQID:
        return set_str(st, f, str_at(root, "addendum", "originalRequestID"));
    case C_ADDENDUM_ORIGEVTID:
        return set_str(st, f, str_at(root, "addendum", "originalEventID"));
    case C_SESSIONCRED:
        return set_str(st, f,
                       truthy(jk_get(root, JK_KEYS("sessionCredentialFromConsole"))) ? "true"
                                                                                     : "false");
    case C_EDGEDEVICEDETAILS:
        return set_text(st, f, jk_get(root, JK_KEYS("edgeDeviceDetails")));
    case C_TLS_VERSION:
        return set_str(st, f, str_at(root, "tlsDetails", "tlsVersion"));
    case C_TLS_CIPHERSUITE:
        return set_str(st, f, str_at(root, "tlsDetails", "cipherSuite"));
    case C_TLS_HOSTHEADER:
        return set_str(st, f, str_at(root, "tlsDetails", "clientProvidedHostHeader"));
    case C_ADDITIONALEVENTDATA:
        return set_text(st, f, jk_get(root, JK_KEYS("additionalEventData")));
    case C_S3_URI: {
        const char *bucket = str_at(root, "requestParameters", "bucketName");
        const char *key = str_at(root, "requestParameters", "key");
        struct jk_buf *b = &st->info;
        if (bucket == NULL || key == NULL) {
            return 0;
        }
        b->len = 0;
        if (jk_buf_append(b, "s3://", 5) < 0 || jk_buf_append(b, bucket, strlen(bucket)) < 0 ||
            jk_buf_append(b, "/", 1) < 0 || jk_buf_append(b, key, strlen(key)) < 0) {
            return -1;
        }
        return set_copy(st, f, b->p, b->len);
    }
    case C_S3_BUCKET:
        return set_str(st, f, str_at(root, "requestParameters", "bucketName"));
    case C_S3_KEY:
        return set_str(st, f, str_at(root, "requestParameters", "key"));
    case C_S3_BYTES:
    case C_S3_BYTES_IN:
    case C_S3_BYTES_OUT:
        return s3_bytes(root, (int)(f->field_id - C_S3_BYTES), &u) ? set_u64(st, f, u) : 0;
    case C_S3_CNT_GET:
    case C_S3_CNT_PUT:
    case C_S3_CNT_OTHER: {
        const char *name = str_at(root, "eventName", NULL);
        bool get = name != NULL && strcmp(name, "GetObject") == 0;
        bool put = name != NULL && strcmp(name, "PutObject") == 0;
        bool yes = f->field_id == C_S3_CNT_GET   ? get
                   : f->field_id == C_S3_CNT_PUT ? put
                                                 : !get && !put;
        return yes ? set_u64(st, f, 1) : 0;
    }
    case C_EC2_NAME:
        return ec2_name(st, root, f);
    case C_EC2_IMAGEID:
    case C_EC2_IMAGEIDS: {
        int64_t idx = -1;
        if (image_ids(st, root) < 0) {
            return -1;
        }
        if (f->field_id == C_EC2_IMAGEID) {
            idx = 0;
        } else if (f->arg_present && f->arg_key == NULL) {
            idx = f->arg_index > INT32_MAX ? INT32_MAX : (int64_t)f->arg_index;
        }
        if (idx >= 0) {
            const char *one = (uint64_t)idx < st->list.n ? st->list.items[idx] : NULL;
            jk_strlist_reset(&st->list);
            return set_str(st, f, one);
        }
        return jk_strlist_commit(&st->list, &st->store, f);
    }
    case C_ECR_REPOSITORY:
        return set_str(st, f, str_at(root, "requestParameters", "repositoryName"));
    case C_ECR_IMAGETAG:
        return set_str(st, f, str_at(root, "requestParameters", "imageTag"));
    case C_IAM_ROLE:
        return set_str(st, f, str_at(root, "requestParameters", "roleName"));
    case C_IAM_POLICY:
        return set_str(st, f, str_at(root, "requestParameters", "policyName"));
    default:
        return 0;
    }
}

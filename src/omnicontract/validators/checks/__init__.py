"""Built-in checks. Each module holds one check type; this list is what the
``omnicontract.checks`` entry point named ``builtin`` registers."""

from omnicontract.validators.checks.ambiguous_identity import AmbiguousIdentity
from omnicontract.validators.checks.broken_link import BrokenLink
from omnicontract.validators.checks.case_order import CaseOutOfOrder
from omnicontract.validators.checks.consent_conflict import ConsentConflict
from omnicontract.validators.checks.contact_after_opt_out import ContactAfterOptOut
from omnicontract.validators.checks.contact_undated_opt_out import ContactUndatedOptOut
from omnicontract.validators.checks.contract_lint import STATIC_CHECKS
from omnicontract.validators.checks.country import Country
from omnicontract.validators.checks.cross_file_duplicate import CrossFileDuplicate
from omnicontract.validators.checks.currency import Currency
from omnicontract.validators.checks.document import InvalidDocument
from omnicontract.validators.checks.duplicate_customer import DuplicateCustomer
from omnicontract.validators.checks.duplicate_interaction import DuplicateInteraction
from omnicontract.validators.checks.email import Email
from omnicontract.validators.checks.enum import EnumValue
from omnicontract.validators.checks.freshness import StaleFeed
from omnicontract.validators.checks.future import FutureTimestamp
from omnicontract.validators.checks.identity_conflict import IdentityConflict
from omnicontract.validators.checks.journey_conflict import JourneyConflict
from omnicontract.validators.checks.key_mismatch import KeyMismatch
from omnicontract.validators.checks.language import Language
from omnicontract.validators.checks.length import Length
from omnicontract.validators.checks.naive_timestamp import NaiveTimestamp
from omnicontract.validators.checks.no_identity_key import NoIdentityKey
from omnicontract.validators.checks.normalization_only import NormalizationOnlyMatch
from omnicontract.validators.checks.odcs_unsupported import OdcsInvalid, OdcsUnsupported
from omnicontract.validators.checks.orphan import OrphanInteraction
from omnicontract.validators.checks.pattern import Pattern
from omnicontract.validators.checks.phone import Phone
from omnicontract.validators.checks.primary_key import PrimaryKey
from omnicontract.validators.checks.reference import MissingReference
from omnicontract.validators.checks.required import Required
from omnicontract.validators.checks.shared_identifier import SharedIdentifier
from omnicontract.validators.checks.source import SOURCE_CHECKS
from omnicontract.validators.checks.sql_rule import SqlRuleBroken
from omnicontract.validators.checks.timezone_shift import TimezoneShift
from omnicontract.validators.checks.type_mismatch import TypeMismatch
from omnicontract.validators.checks.unique import Unique
from omnicontract.validators.checks.unmapped_value import UnmappedValue
from omnicontract.validators.checks.unparseable import Unparseable
from omnicontract.validators.checks.uuid import Uuid
from omnicontract.validators.checks.value_range import ValueRange
from omnicontract.validators.checks.volume import VolumeChange

BUILTIN_CHECKS = [
    *STATIC_CHECKS,
    OdcsUnsupported,
    OdcsInvalid,
    *SOURCE_CHECKS,
    Unparseable,
    UnmappedValue,
    Required,
    TypeMismatch,
    Unique,
    PrimaryKey,
    CrossFileDuplicate,
    VolumeChange,
    StaleFeed,
    SqlRuleBroken,
    EnumValue,
    Pattern,
    ValueRange,
    Length,
    Email,
    Phone,
    Country,
    Currency,
    NaiveTimestamp,
    FutureTimestamp,
    Language,
    Uuid,
    InvalidDocument,
    MissingReference,
    BrokenLink,
    OrphanInteraction,
    NoIdentityKey,
    NormalizationOnlyMatch,
    IdentityConflict,
    DuplicateCustomer,
    KeyMismatch,
    SharedIdentifier,
    DuplicateInteraction,
    AmbiguousIdentity,
    ContactAfterOptOut,
    ContactUndatedOptOut,
    ConsentConflict,
    JourneyConflict,
    TimezoneShift,
    CaseOutOfOrder,
]

//! The clusterrole-aggregation controller (`pkg/controller/clusterroleaggregation/
//! clusterroleaggregation_controller.go` `syncClusterRole`): a ClusterRole with an
//! `aggregationRule` gets as its `rules` the rules of every other ClusterRole whose labels match
//! one of its selectors, each rule once, in selector order then name order. The authorizer only
//! ever reads `rules`; this writes them. A hand edit of an aggregated role's rules is
//! overwritten at the next sync.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::Rule;
use crate::managed;
use crate::objects;
use crate::store::Inner;
use keyhole_core::format::rfc3339;

/// The field manager the controller writes as.
const MANAGER: &str = "clusterrole-aggregation-controller";

/// The rules an aggregated ClusterRole should have now, or `None` if it aggregates nothing.
fn aggregated_rules(s: &Inner, role: &Value) -> Option<Vec<Value>> {
    let selectors = role.pointer("/aggregationRule/clusterRoleSelectors").and_then(Value::as_array)?;
    if selectors.is_empty() {
        return None;
    }
    let me = objects::meta(role, "name");
    let mut rules: Vec<Rule> = Vec::new();
    for selector in selectors {
        for ((_, name), other) in s.iter("clusterroles", None, None) {
            let labels = other.pointer("/metadata/labels").and_then(Value::as_object);
            if *name == me || !super::selector_matches(selector, labels) {
                continue;
            }
            for rule in Rule::all_of(other) {
                if !rules.contains(&rule) {
                    rules.push(rule);
                }
            }
        }
    }
    Some(rules.iter().map(Rule::to_json).collect())
}

/// Brings every aggregated ClusterRole up to date. Chains (view into edit into admin) settle
/// in a few passes. Returns whether anything was written.
pub fn sync(s: &mut Inner, now: Timestamp) -> bool {
    let Some(def) = crate::resources::RESOURCES.iter().find(|r| r.plural == "clusterroles") else { return false };
    let mut wrote = false;
    // Each pass can only add what a role one step down the chain gained; a cycle of selectors
    // settles too, as rules are only ever copied, never made.
    for _ in 0..8 {
        let mut changes = Vec::new();
        for (_, role) in s.iter("clusterroles", None, None) {
            let Some(rules) = aggregated_rules(s, role) else { continue };
            let current = role.get("rules").and_then(Value::as_array).cloned().unwrap_or_default();
            let current: Vec<Rule> = current.iter().map(Rule::from_json).collect();
            let wanted: Vec<Rule> = rules.iter().map(Rule::from_json).collect();
            if current != wanted {
                changes.push((role.clone(), rules));
            }
        }
        if changes.is_empty() {
            break;
        }
        for (old, rules) in changes {
            let mut new = (*old).clone();
            new["rules"] = json!(rules);
            let (gv, stamp) = (def.group_version(), rfc3339(now));
            let mf = managed::update(&managed::Writer::main(def, &gv, MANAGER, &stamp), &old, &new, None, false);
            objects::set_managed_fields(&mut new, mf);
            s.put(def.key(), new);
            wrote = true;
        }
    }
    wrote
}

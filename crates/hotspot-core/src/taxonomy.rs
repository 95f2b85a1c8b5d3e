//! Offence categories: the default grouping of primary types from the lake contract.
//!
//! Silver stores the default category so outside tools see it, but the console resolves
//! categories at query time through a [`Taxonomy`], which scripts may redefine.

use std::collections::HashMap;

/// The default category names, in display order. Any type not listed falls in "Other".
pub const DEFAULT_CATEGORIES: [&str; 6] = [
    "Violent",
    "Property",
    "Weapons",
    "Drugs & vice",
    "Public order",
    "Other",
];

/// The fallback category for types the taxonomy does not list.
pub const OTHER: &str = "Other";

const DEFAULT_MAP: &[(&str, &str)] = &[
    ("HOMICIDE", "Violent"),
    ("CRIMINAL SEXUAL ASSAULT", "Violent"),
    ("CRIM SEXUAL ASSAULT", "Violent"),
    ("SEX OFFENSE", "Violent"),
    ("BATTERY", "Violent"),
    ("ASSAULT", "Violent"),
    ("ROBBERY", "Violent"),
    ("KIDNAPPING", "Violent"),
    ("HUMAN TRAFFICKING", "Violent"),
    ("STALKING", "Violent"),
    ("INTIMIDATION", "Violent"),
    ("BURGLARY", "Property"),
    ("THEFT", "Property"),
    ("MOTOR VEHICLE THEFT", "Property"),
    ("CRIMINAL DAMAGE", "Property"),
    ("ARSON", "Property"),
    ("CRIMINAL TRESPASS", "Property"),
    ("DECEPTIVE PRACTICE", "Property"),
    ("WEAPONS VIOLATION", "Weapons"),
    ("CONCEALED CARRY LICENSE VIOLATION", "Weapons"),
    ("NARCOTICS", "Drugs & vice"),
    ("OTHER NARCOTIC VIOLATION", "Drugs & vice"),
    ("PROSTITUTION", "Drugs & vice"),
    ("GAMBLING", "Drugs & vice"),
    ("LIQUOR LAW VIOLATION", "Drugs & vice"),
    ("PUBLIC INDECENCY", "Drugs & vice"),
    ("OBSCENITY", "Drugs & vice"),
    ("PUBLIC PEACE VIOLATION", "Public order"),
    ("INTERFERENCE WITH PUBLIC OFFICER", "Public order"),
    ("OFFENSE INVOLVING CHILDREN", "Public order"),
    ("RITUALISM", "Public order"),
    ("NON-CRIMINAL", "Public order"),
    ("NON - CRIMINAL", "Public order"),
    ("NON-CRIMINAL (SUBJECT SPECIFIED)", "Public order"),
    ("DOMESTIC VIOLENCE", "Public order"),
    ("OTHER OFFENSE", "Other"),
];

/// The default category of a primary type (upper case, trimmed). Never fails: unknown types
/// are "Other", so nothing is silently dropped.
pub fn default_category(primary_type: &str) -> &'static str {
    DEFAULT_MAP
        .iter()
        .find(|(t, _)| *t == primary_type)
        .map_or(OTHER, |(_, c)| c)
}

/// Every primary type the default taxonomy names.
pub fn default_known_types() -> impl Iterator<Item = &'static str> {
    DEFAULT_MAP.iter().map(|(t, _)| *t)
}

/// A grouping of primary types into named categories.
#[derive(Clone, Debug, PartialEq)]
pub struct Taxonomy {
    categories: Vec<String>,
    by_type: HashMap<String, usize>,
    fallback: usize,
}

impl Default for Taxonomy {
    fn default() -> Self {
        let mut t = Taxonomy::new(
            DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect(),
            OTHER,
        );
        for (ty, cat) in DEFAULT_MAP {
            t.assign(ty, cat);
        }
        t
    }
}

impl Taxonomy {
    /// An empty taxonomy with these categories; unlisted types go to `fallback` (added to the
    /// list when missing).
    pub fn new(mut categories: Vec<String>, fallback: &str) -> Self {
        let fallback = match categories.iter().position(|c| c == fallback) {
            Some(i) => i,
            None => {
                categories.push(fallback.to_string());
                categories.len() - 1
            }
        };
        Self {
            categories,
            by_type: HashMap::new(),
            fallback,
        }
    }

    /// Puts `primary_type` in `category` (added when new).
    pub fn assign(&mut self, primary_type: &str, category: &str) {
        let idx = match self.categories.iter().position(|c| c == category) {
            Some(i) => i,
            None => {
                self.categories.push(category.to_string());
                self.categories.len() - 1
            }
        };
        self.by_type.insert(primary_type.trim().to_uppercase(), idx);
    }

    /// Category names in display order.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// The fallback category's name.
    pub fn fallback(&self) -> &str {
        &self.categories[self.fallback]
    }

    /// The category of a primary type.
    pub fn category_of(&self, primary_type: &str) -> &str {
        &self.categories[self
            .by_type
            .get(primary_type)
            .copied()
            .unwrap_or(self.fallback)]
    }

    /// Whether `primary_type` belongs to `category`.
    pub fn contains(&self, category: &str, primary_type: &str) -> bool {
        self.category_of(primary_type) == category
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fixes_the_seed_gaps() {
        assert_eq!(default_category("CRIMINAL SEXUAL ASSAULT"), "Violent");
        assert_eq!(default_category("STALKING"), "Violent");
        assert_eq!(default_category("WEAPONS VIOLATION"), "Weapons");
        assert_eq!(
            default_category("CONCEALED CARRY LICENSE VIOLATION"),
            "Weapons"
        );
        assert_eq!(default_category("ARSON"), "Property");
        assert_eq!(default_category("PUBLIC INDECENCY"), "Drugs & vice");
        assert_eq!(default_category("OTHER OFFENSE"), "Other");
        assert_eq!(default_category("SOMETHING NEW"), "Other");
        // The taxonomy object answers the same as the table, by hand for a few types.
        let t = Taxonomy::default();
        assert_eq!(t.category_of("ARSON"), "Property");
        assert_eq!(t.category_of("HOMICIDE"), "Violent");
        assert_eq!(t.category_of("NARCOTICS"), "Drugs & vice");
        assert_eq!(t.category_of("SOMETHING NEW"), "Other");
        assert!(default_known_types().count() >= 30);
        assert_eq!(
            t.categories(),
            [
                "Violent",
                "Property",
                "Weapons",
                "Drugs & vice",
                "Public order",
                "Other"
            ]
        );
    }

    #[test]
    fn scripts_can_regroup() {
        let mut t = Taxonomy::new(vec!["Guns".into()], "Everything else");
        t.assign("weapons violation", "Guns");
        t.assign("HOMICIDE", "Guns");
        assert_eq!(t.category_of("WEAPONS VIOLATION"), "Guns");
        assert_eq!(t.category_of("THEFT"), "Everything else");
        assert!(t.contains("Guns", "HOMICIDE"));
        assert_eq!(
            t.categories(),
            ["Guns".to_string(), "Everything else".to_string()]
        );
    }
}

//! Drill information of a result: breadcrumbs, the target, its parent and its children with
//! data.

use std::collections::BTreeSet;

use hotspot_core::res;

use super::Engine;
use crate::result::{CellArrays, Crumb, DrillInfo};
use crate::scope::Scope;

impl Engine {
    pub(super) fn drill_info(&self, scope: &Scope, cells: &CellArrays) -> DrillInfo {
        let mut breadcrumbs = vec![Crumb {
            cell: None,
            res: res::MIN_RES,
            label: "Citywide".into(),
        }];
        for &c in &scope.drill {
            breadcrumbs.push(Crumb {
                cell: Some(c),
                res: hotspot_core::h3bits::resolution(c),
                label: self
                    .label(c)
                    .map_or_else(|| format!("{c:015x}"), str::to_string),
            });
        }
        let target = scope.drill.last().copied();
        let parent = target.and_then(|t| {
            let tr = hotspot_core::h3bits::resolution(t);
            (tr > res::MIN_RES)
                .then(|| {
                    h3o::CellIndex::try_from(t)
                        .ok()?
                        .parent(res::h3(tr - 1))
                        .map(u64::from)
                })
                .flatten()
        });
        let children = match target {
            Some(t) => {
                let child_res = hotspot_core::h3bits::resolution(t) + 1;
                let set: BTreeSet<u64> = cells
                    .cell
                    .values()
                    .iter()
                    .filter_map(|c| {
                        let cell = h3o::CellIndex::try_from(*c).ok()?;
                        if hotspot_core::h3bits::resolution(*c) == child_res {
                            Some(*c)
                        } else {
                            cell.parent(res::h3(child_res)).map(u64::from)
                        }
                    })
                    .collect();
                set.into_iter().collect()
            }
            None => Vec::new(),
        };
        DrillInfo {
            breadcrumbs,
            target,
            parent,
            children,
        }
    }
}
